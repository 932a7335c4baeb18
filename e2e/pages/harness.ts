// Test harness page: exposes the library, the float64 reference and the GPU checks to
// Playwright, and turns every uncaptured WebGPU error into a console error (which fails the test).
import * as lib from '../../src/index';
import * as ref from '../../src/reference/index';
import * as checks from './checks';
import * as fitChecks from './fit-checks';
import * as contextChecks from './context-checks';
import * as coreChecks from './core-checks';
import * as groupChecks from './group-checks';

const counters = { createBuffer: 0, devices: 0 };
const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
  const device = await requestDevice.call(this, descriptor);
  counters.devices++;
  device.addEventListener('uncapturederror', (event) => {
    console.error(`WebGPU uncaptured error: ${(event as GPUUncapturedErrorEvent).error.message}`);
  });
  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (d: GPUBufferDescriptor) => {
    counters.createBuffer++;
    return createBuffer(d);
  };
  return device;
};

Object.assign(globalThis, { lib, ref, checks: { ...checks, ...fitChecks, ...contextChecks, ...coreChecks, ...groupChecks }, counters, harnessReady: true });
