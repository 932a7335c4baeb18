/// <reference lib="webworker" />
// The training worker of the sweep pool (src/sweep/pool.ts): src/sweep/worker-host.ts with no
// hooks. It owns one GPUDevice, runs one TrainJob at a time, and returns plain metrics.
import { exposeTrainWorker } from '../src/sweep/worker-host';

exposeTrainWorker();
