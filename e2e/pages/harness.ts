// Test harness page: exposes the library, the float64 reference and the GPU checks to
// Playwright, and turns every uncaptured WebGPU error into a console error (which fails the test).
import * as lib from '../../src/index';
import * as ref from '../../src/reference/index';
import * as checks from './checks';
import * as fitChecks from './fit-checks';
import * as contextChecks from './context-checks';
import * as coreChecks from './core-checks';
import * as groupChecks from './group-checks';
import * as reliabilityChecks from './reliability-checks';
import * as fitOptionsChecks from './fit-options-checks';
import * as reverseChecks from './reverse-checks';
import * as ensembleChecks from './ensemble-checks';
import * as maskedChecks from './masked-checks';
import * as fusedChecks from './fused-checks';

// Buffers and pipelines are counted by ctx.stats(); the harness only reports WebGPU errors.
const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
  const device = await requestDevice.call(this, descriptor);
  device.addEventListener('uncapturederror', (event) => {
    console.error(`WebGPU uncaptured error: ${(event as GPUUncapturedErrorEvent).error.message}`);
  });
  return device;
};

Object.assign(globalThis, { lib, ref, checks: { ...checks, ...fitChecks, ...contextChecks, ...coreChecks, ...groupChecks, ...reliabilityChecks, ...fitOptionsChecks, ...reverseChecks, ...maskedChecks, ...ensembleChecks, ...fusedChecks }, harnessReady: true });
