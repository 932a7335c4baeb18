// What the adapter can do at best, measured in the same page: FMA throughput (a kernel of
// independent FMA chains), the fixed cost of one dispatch, and a submit/readback round trip.
import { noopShader, PeakDims, peakFlops, peakShader } from '../shaders/bench/peak';
import { median } from '../src/util/stats';
import { pause } from './timing';

export interface PeakResult {
  /** Best GFLOP/s of the fma() kernel (an FMA counts 2 FLOPs). */
  fmaGflops: number;
  /** Best GFLOP/s of the a * m + c kernel. */
  mulAddGflops: number;
  /** The larger of the two: the "% of peak" denominator. */
  peakGflops: number;
  /** Fixed cost of one dispatch inside a pass (setPipeline + setBindGroup + dispatch). */
  dispatchUs: number;
  /** Empty submit + onSubmittedWorkDone. */
  submitMs: number;
  /** Copy 4 bytes + mapAsync + read. */
  readbackMs: number;
}

async function submitAndWait(device: GPUDevice, encode: (e: GPUCommandEncoder) => void): Promise<number> {
  const encoder = device.createCommandEncoder({ label: 'bench:peak' });
  encode(encoder);
  const t0 = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

async function fmaThroughput(device: GPUDevice, fused: boolean, targetMs: number, workgroups: number): Promise<number> {
  const module = device.createShaderModule({ label: `bench:peak:${fused ? 'fma' : 'muladd'}`, code: peakShader(fused) });
  const pipeline = device.createComputePipeline({ label: `bench:peak:${fused ? 'fma' : 'muladd'}`, layout: 'auto', compute: { module, entryPoint: 'main' } });
  const out = device.createBuffer({ label: 'bench:peak:out', size: workgroups * 64 * 16, usage: GPUBufferUsage.STORAGE });
  const dims = device.createBuffer({ label: 'bench:peak:dims', size: PeakDims.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const group = device.createBindGroup({
    label: 'bench:peak',
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: out } },
      { binding: 1, resource: { buffer: dims } },
    ],
  });
  const run = (iterations: number) => {
    device.queue.writeBuffer(dims, 0, PeakDims.pack({ iterations, multiplier: 0.9999999, addend: 1e-7, seed: 0.5 }));
    return submitAndWait(device, (e) => {
      const pass = e.beginComputePass({ label: 'bench:peak' });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(workgroups);
      pass.end();
    });
  };
  try {
    await run(16); // compile
    let iterations = 64;
    let ms = await run(iterations);
    while (ms < targetMs / 4 && iterations < 1 << 20) {
      iterations *= 4;
      ms = await run(iterations);
    }
    iterations = Math.max(16, Math.round((iterations * targetMs) / Math.max(ms, 1e-3)));
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      best = Math.min(best, await run(iterations));
      await pause(20);
    }
    return peakFlops(workgroups, iterations) / (best * 1e6);
  } finally {
    out.destroy();
    dims.destroy();
  }
}

async function dispatchOverheadUs(device: GPUDevice, empty: number): Promise<number> {
  const module = device.createShaderModule({ label: 'bench:noop', code: noopShader });
  const pipeline = device.createComputePipeline({ label: 'bench:noop', layout: 'auto', compute: { module, entryPoint: 'main' } });
  const counter = device.createBuffer({ label: 'bench:noop:counter', size: 16, usage: GPUBufferUsage.STORAGE });
  const group = device.createBindGroup({ label: 'bench:noop', layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: counter } }] });
  const count = 2000;
  const run = () =>
    submitAndWait(device, (e) => {
      const pass = e.beginComputePass({ label: 'bench:noop' });
      for (let i = 0; i < count; i++) {
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(1);
      }
      pass.end();
    });
  try {
    await run();
    const times: number[] = [];
    for (let r = 0; r < 5; r++) times.push(await run());
    return ((median(times) - empty) * 1000) / count;
  } finally {
    counter.destroy();
  }
}

async function readbackMs(device: GPUDevice): Promise<number> {
  const src = device.createBuffer({ label: 'bench:rt:src', size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const dst = device.createBuffer({ label: 'bench:rt:dst', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const times: number[] = [];
  try {
    for (let r = 0; r < 21; r++) {
      const t0 = performance.now();
      const e = device.createCommandEncoder({ label: 'bench:rt' });
      e.copyBufferToBuffer(src, 0, dst, 0, 16);
      device.queue.submit([e.finish()]);
      await dst.mapAsync(GPUMapMode.READ);
      new Float32Array(dst.getMappedRange()).slice();
      dst.unmap();
      times.push(performance.now() - t0);
    }
    return median(times);
  } finally {
    src.destroy();
    dst.destroy();
  }
}

/** Measures the peak figures on `device` (about 5–10 s on SwiftShader). `workgroups` of 64
 *  threads run the FMA chains: 256 fill a CPU; a big GPU needs thousands. */
export async function measurePeak(device: GPUDevice, targetMs = 400, workgroups = 256): Promise<PeakResult> {
  const empties: number[] = [];
  for (let r = 0; r < 11; r++) empties.push(await submitAndWait(device, () => {}));
  const submitMs = median(empties);
  const fmaGflops = await fmaThroughput(device, true, targetMs, workgroups);
  const mulAddGflops = await fmaThroughput(device, false, targetMs, workgroups);
  const dispatchUs = await dispatchOverheadUs(device, submitMs);
  return { fmaGflops, mulAddGflops, peakGflops: Math.max(fmaGflops, mulAddGflops), dispatchUs, submitMs, readbackMs: await readbackMs(device) };
}
