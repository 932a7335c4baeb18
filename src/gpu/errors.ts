/** Typed errors with messages that say what to do. Safe in workers (no DOM). */
export class WebGpuUnsupportedError extends Error {
  override name = 'WebGpuUnsupportedError';
  constructor() {
    super(
      'WebGPU is not supported here (navigator.gpu is missing). Use a Chromium-based browser ' +
        '(Chrome/Edge 113+) over https or http://localhost, or start Chromium with --enable-unsafe-webgpu; ' +
        "in Node, use createNodeContext() from 'sobolev-webgpu/node' (npm install webgpu).",
    );
  }
}

export class NoAdapterError extends Error {
  override name = 'NoAdapterError';
  constructor() {
    super(
      'Could not find a compatible GPU adapter. Check that hardware acceleration is enabled ' +
        '(chrome://gpu), update the GPU driver, or run Chromium with --enable-unsafe-webgpu ' +
        'to use the software (SwiftShader) adapter.',
    );
  }
}

export class MissingFeatureError extends Error {
  override name = 'MissingFeatureError';
  constructor(feature: string) {
    super(`Requested WebGPU feature '${feature}' is not supported by this adapter.`);
  }
}

export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  constructor(reason: string, message: string) {
    super(`The GPU device was lost (${reason}): ${message}. Create a new context to continue.`);
  }
}

/** A GPU validation or out-of-memory error raised while running our own commands. */
export class GpuValidationError extends Error {
  override name = 'GpuValidationError';
}

/** Thrown by objects used after destroy(). */
export class DestroyedError extends Error {
  override name = 'DestroyedError';
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what} has been destroyed; create a new one.`, options);
  }
}

/** A call that would interfere with an operation still running on the same models (a second
 *  fit, setParameters or destroy during a fit). */
export class BusyError extends Error {
  override name = 'BusyError';
}

