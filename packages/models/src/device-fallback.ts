import { RagError } from '@rag-web/core';
import { DeviceFallbackError } from './errors.js';

/** What a DeviceFallback needs to know about the backends it switches between. */
export interface DeviceFallbackOptions<B> {
  /** The WebGPU device `backend` runs on; undefined on WASM (nothing to lose). */
  gpuDevice: (backend: B) => GPUDevice | undefined;
  /** Loads the same model on WASM. Without it a lost device fails the call with DeviceFallbackError. */
  reloadOnWasm?: () => Promise<B>;
  /** Releases a backend: the lost one after the fallback, the current one on dispose. */
  release: (backend: B) => Promise<void>;
  onWarning?: (warning: DeviceFallbackError) => void;
}

/** A guarded call's body: it runs on `backend` from start to end; `signal` aborts when that backend's device is lost. */
export type GuardedTask<B, T> = (backend: B, signal: AbortSignal) => Promise<T>;

/** One backend and the loss of its device. Each backend is an epoch: a call reruns only if the one it ran on was replaced. */
interface Epoch<B> {
  backend: B;
  /** Rejects when the device is lost by anything but our own dispose; undefined on WASM. */
  lost: Promise<never> | undefined;
  lostInfo: GPUDeviceLostInfo | undefined;
  abort: AbortController;
}

/**
 * How long a failed call waits for `GPUDevice.lost` to settle before taking its error as a
 * real one: a read-back on a lost device can reject before the lost promise resolves (on a
 * loaded machine, by more than 100 ms).
 */
const LOSS_GRACE_MS = 1000;

/**
 * What onnxruntime-web's WebGPU backend throws when its device is gone, whether or not
 * `GPUDevice.lost` has resolved yet: "failed to call OrtRun() … BufferManager::Download … mapAsync
 * … Failed to download data from buffer", a destroyed buffer or device, an invalid command buffer.
 */
const LOST_DEVICE_ERROR = /Failed to download data from buffer|mapAsync|[Dd]evice (is )?(was )?(lost|destroyed)|destroyed (buffer|device|texture)|Instance dropped|CommandBuffer.*invalid/;

/**
 * Recovery from a lost WebGPU device, applied once per public entry point: the call races its
 * task against the device's loss (so a lost device never leaves it hanging), and on a loss the
 * model reloads on WASM (once, however many calls were running, with a warning) and the task
 * runs again from the start there. A call whose task fails for another reason, or whose
 * backend was not replaced, gets its own error.
 */
export class DeviceFallback<B> {
  private current: Epoch<B>;
  private fallingBack: Promise<void> | undefined;
  private disposed = false;

  constructor(
    backend: B,
    private readonly options: DeviceFallbackOptions<B>,
  ) {
    this.current = this.watch(backend);
  }

  get backend(): B {
    return this.current.backend;
  }

  async run<T>(task: GuardedTask<B, T>): Promise<T> {
    // A loss between calls: fall back before starting rather than fail on the lost device.
    if (this.current.lostInfo) await this.fallBack(this.current);
    const epoch = this.current;
    try {
      const running = task(epoch.backend, epoch.abort.signal);
      return await (epoch.lost ? Promise.race([running, epoch.lost]) : running);
    } catch (err) {
      if (!(await this.wasLost(epoch, err))) throw err;
      await this.fallBack(epoch);
      // The lost backend was replaced (a rerun on a backend without a device cannot recur).
      return this.run(task);
    }
  }

  /** Releases the current backend; a device lost afterwards is our own doing and is ignored. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.options.release(this.current.backend);
  }

  private watch(backend: B): Epoch<B> {
    const gpu = this.options.gpuDevice(backend);
    const epoch: Epoch<B> = { backend, lost: undefined, lostInfo: undefined, abort: new AbortController() };
    if (gpu) {
      epoch.lost = new Promise<never>((_, reject) => {
        void gpu.lost.then((info) => {
          if (this.disposed) return;
          const err = new DeviceFallbackError(`the WebGPU device was lost (${info.reason}: ${info.message})`);
          epoch.lostInfo = info;
          // A task given up for a rerun stops at its next step instead of running on.
          epoch.abort.abort(err);
          reject(err);
        });
      });
      epoch.lost.catch(() => undefined);
    }
    return epoch;
  }

  private async wasLost(epoch: Epoch<B>, err: unknown): Promise<boolean> {
    if (!epoch.lostInfo && epoch.lost && !(err instanceof RagError)) {
      await Promise.race([epoch.lost.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, LOSS_GRACE_MS))]);
      // The runtime's own word for a dead device counts even when `lost` stays silent.
      const message = err instanceof Error ? err.message : String(err);
      if (!epoch.lostInfo && LOST_DEVICE_ERROR.test(message)) {
        epoch.lostInfo = { reason: 'unknown', message } as GPUDeviceLostInfo;
        epoch.abort.abort(new DeviceFallbackError(`the WebGPU device failed: ${message}`));
      }
    }
    return epoch.lostInfo !== undefined;
  }

  private fallBack(from: Epoch<B>): Promise<void> {
    if (this.current !== from) return Promise.resolve();
    this.fallingBack ??= (async () => {
      const { reloadOnWasm, release, onWarning } = this.options;
      if (!reloadOnWasm) throw new DeviceFallbackError('the WebGPU device was lost and this model cannot reload on WASM');
      onWarning?.(new DeviceFallbackError(`WebGPU device lost (${from.lostInfo?.reason ?? 'unknown'}); continuing on WASM`));
      this.current = this.watch(await reloadOnWasm());
      // The old backend lived on the lost device; releasing it may fail, which is fine.
      await release(from.backend).catch(() => undefined);
    })().finally(() => {
      this.fallingBack = undefined;
    });
    return this.fallingBack;
  }
}

/** The signal a guarded call hands its steps: the caller's, if any, or the device's loss. */
export function callSignal(lost: AbortSignal, signal?: AbortSignal): AbortSignal {
  return signal ? AbortSignal.any([signal, lost]) : lost;
}
