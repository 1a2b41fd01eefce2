"""The code the PyTorch twins of the adapters' recaStep share (bench/pytorch-reca-step-<family>.py), one module per
concept, each a port of the TypeScript module its docstring names:

- seeded_random: @reca/runtime's SeededRandom (xoshiro128**);
- conformance_images: @reca/core/test's makeConformanceImages;
- tokenizer: @reca/core's WordLevelTokenizer and the adapters' ShapesWorld tokenizer;
- reconstruction: RecA's instruction pool and resize bottleneck;
- safetensors_reader: reading the exporters' safetensors files, strict loading by name;
- attention, positions: @reca/runtime's attention (biases, masks, heads) and position encodings (RoPE, 2-D sin-cos);
- initializers: @reca/runtime's initial-weight distributions, drawn by torch's RNG or a SeededRandom stream;
- layers, adaln, autoencoder_blocks: @reca/runtime's nn building blocks (RMSNorm, SwiGLU, timm attention/MLP/block,
  patch embedding; DiT's timestep embedder and AdaLN final layer; the tokenizers' ResnetBlock and resolution levels);
- understanding: @reca/understanding's stack (ViT, projector, text transformer, caption decoder, condition encoder)
  and its presets;
- training: the cosine schedule, AdamW with its decay groups, clipping, scaleGradient, the two-micro-batch step;
- check_report: `--check`'s table, configuration, gradient and after-step comparisons;
- command_line, torch_settings, timing: the twins' common options, torch settings and timing JSON line.

The entry scripts import it as `pytorch_twins` (Python puts a script's folder first on sys.path) and set
`sys.dont_write_bytecode` first, so that running them leaves no __pycache__ in the repository.
"""
