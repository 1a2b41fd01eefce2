/** One connected component of equal non-zero labels. */
export interface Component {
  /** The label shared by its pixels. */
  readonly label: number;
  /** Pixel indices (y * width + x), in discovery order. */
  readonly pixels: Int32Array;
}

/**
 * 8-connected components of equal non-zero labels (diagonal neighbours connect), found in raster order of their
 * first pixel.
 *
 * @param labels - uint8 [height × width], row-major; 0 is background.
 */
export function connectedComponents(labels: Uint8Array, width: number, height: number): Component[] {
  const visited = new Uint8Array(labels.length);
  const queue = new Int32Array(labels.length);
  const components: Component[] = [];
  for (let start = 0; start < labels.length; start++) {
    const label = labels[start] as number;
    if (label === 0 || visited[start] === 1) continue;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    visited[start] = 1;
    while (head < tail) {
      const pixel = queue[head++] as number;
      const x = pixel % width;
      const y = (pixel - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if ((dx === 0 && dy === 0) || nx < 0 || nx >= width) continue;
          const neighbour = ny * width + nx;
          if (visited[neighbour] === 0 && labels[neighbour] === label) {
            visited[neighbour] = 1;
            queue[tail++] = neighbour;
          }
        }
      }
    }
    components.push({ label, pixels: queue.slice(0, tail) });
  }
  return components;
}
