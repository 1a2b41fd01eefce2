/** Settings of the ShapesWorld object detector. The defaults suit 32×32 images with objects of 7–11 px. */
export interface DetectorOptions {
  /**
   * A pixel belongs to a colour when that palette colour is its nearest of the seven (six colours and black) and
   * lies within this Euclidean RGB distance (0–255 per channel); otherwise it counts as background. Half the
   * smallest distance between two palette colours is 127.5, so 120 never assigns a pixel to a colour that another
   * colour explains as well, while tolerating noise and off-colours of about ±60 per channel. Grey, white, orange-ish
   * half-mixes and dark halos (e.g. (120, 0, 0) next to a red object) become background.
   * @default 120
   */
  maximumColorDistance?: number;
  /**
   * Connected components (8-connected, same colour) smaller than this many pixels are ignored as noise or fragments.
   * The smallest ShapesWorld object (a 7 px triangle) has 31 pixels, so 12 keeps every real object while ignoring
   * specks and small splinters of generated images.
   * @default 12
   */
  minimumComponentPixels?: number;
}

/** Default of {@link DetectorOptions.maximumColorDistance}. */
export const defaultMaximumColorDistance = 120;
/** Default of {@link DetectorOptions.minimumComponentPixels}. */
export const defaultMinimumComponentPixels = 12;
