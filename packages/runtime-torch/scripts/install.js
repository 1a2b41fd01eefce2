// Placeholder until the native build script lands: installs without the addon (the runtime then falls back).
console.log('@reca/runtime-torch: native addon build not implemented yet; the runtime will use the next backend');
