{
  # Built by scripts/install.js, which finds libtorch and passes its flags through the environment
  # (RECA_TORCH_INCLUDE_DIRS, RECA_TORCH_CXXFLAGS, RECA_TORCH_LDFLAGS). Run `node scripts/install.js --force`
  # rather than node-gyp directly.
  "targets": [
    {
      "target_name": "reca_torch",
      "sources": [
        "native/addon.cc",
        "native/context.cc",
        "native/attributes.cc",
        "native/execution.cc",
        "native/kernels_elementwise.cc",
        "native/kernels_reduction.cc",
        "native/kernels_shape.cc",
        "native/kernels_indexing.cc",
        "native/kernels_creation.cc",
        "native/kernels_linear_algebra.cc",
        "native/kernels_convolution.cc",
        "native/kernels_image.cc",
        "native/kernels_fused.cc",
        "native/small_kernel_threads.cc",
        "native/operator_census.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node -p \"process.env.RECA_TORCH_INCLUDE_DIRS || ''\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-fexceptions", "-frtti", "-O2", "<!@(node -p \"process.env.RECA_TORCH_CXXFLAGS || ''\")"],
      "libraries": ["<!@(node -p \"process.env.RECA_TORCH_LDFLAGS || ''\")"]
    }
  ]
}
