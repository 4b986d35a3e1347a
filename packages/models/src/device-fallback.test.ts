import { describe, expect, it } from 'vitest';
import { DeviceFallback } from './device-fallback.js';
import { DeviceFallbackError, InvalidInputError } from './errors.js';

// DeviceFallback on stand-in backends: a "GPU" backend whose device can be lost on demand, and
// the "WASM" backend it reloads to.
interface FakeBackend {
  name: string;
  device?: GPUDevice;
}

function fakeDevice(): { device: GPUDevice; lose: () => void } {
  let lose!: () => void;
  const lost = new Promise<GPUDeviceLostInfo>((resolve) => {
    lose = () => resolve({ reason: 'destroyed', message: 'test' } as GPUDeviceLostInfo);
  });
  return { device: { lost } as GPUDevice, lose };
}

function setup(options: { recover?: boolean } = {}) {
  const gpu = fakeDevice();
  const log = { reloads: 0, released: [] as string[], warnings: [] as DeviceFallbackError[] };
  const fallback = new DeviceFallback<FakeBackend>(
    { name: 'webgpu', device: gpu.device },
    {
      gpuDevice: (b) => b.device,
      ...(options.recover === false
        ? {}
        : {
            reloadOnWasm: async () => {
              log.reloads++;
              return { name: 'wasm' };
            },
          }),
      release: async (b) => {
        log.released.push(b.name);
      },
      onWarning: (w) => log.warnings.push(w),
    },
  );
  return { fallback, lose: gpu.lose, log };
}

const never = () => new Promise<never>(() => undefined);

describe('DeviceFallback', () => {
  it('runs the task once on a healthy backend and passes its errors through', async () => {
    const { fallback, log } = setup();
    const seen: string[] = [];
    expect(await fallback.run(async (b) => (seen.push(b.name), 42))).toBe(42);
    await expect(fallback.run(async () => Promise.reject(new InvalidInputError('bad')))).rejects.toThrow(InvalidInputError);
    expect(seen).toEqual(['webgpu']);
    expect(log.reloads).toBe(0);
  });

  it('a task hanging on the lost device is given up, its signal aborted, and rerun once on WASM', async () => {
    const { fallback, lose, log } = setup();
    const runs: Array<{ name: string; signal: AbortSignal }> = [];
    const result = fallback.run(async (b, signal) => {
      runs.push({ name: b.name, signal });
      if (b.name === 'webgpu') {
        lose();
        return never();
      }
      return b.name;
    });
    expect(await result).toBe('wasm');
    expect(runs.map((r) => r.name)).toEqual(['webgpu', 'wasm']);
    expect(runs[0]!.signal.aborted).toBe(true);
    expect(runs[0]!.signal.reason).toBeInstanceOf(DeviceFallbackError);
    expect(runs[1]!.signal.aborted).toBe(false);
    expect(log.reloads).toBe(1);
    expect(log.released).toEqual(['webgpu']);
    expect(log.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/WebGPU device lost \(destroyed\); continuing on WASM/)]);
    expect(fallback.backend.name).toBe('wasm');
  });

  it('calls running when the device is lost share one reload', async () => {
    const { fallback, lose, log } = setup();
    const task = async (b: FakeBackend) => (b.name === 'webgpu' ? never() : b.name);
    const calls = [fallback.run(task), fallback.run(task), fallback.run(task)];
    lose();
    expect(await Promise.all(calls)).toEqual(['wasm', 'wasm', 'wasm']);
    expect(log.reloads).toBe(1);
    expect(log.warnings).toHaveLength(1);
  });

  it('a device lost between calls reloads before the next call, which runs once', async () => {
    const { fallback, lose, log } = setup();
    lose();
    await Promise.resolve();
    const seen: string[] = [];
    expect(await fallback.run(async (b) => (seen.push(b.name), 'done'))).toBe('done');
    expect(seen).toEqual(['wasm']);
    expect(log.reloads).toBe(1);
  });

  it('an error that comes just before the loss is taken as the loss', async () => {
    const { fallback, lose, log } = setup();
    const result = fallback.run(async (b) => {
      if (b.name === 'wasm') return 'wasm';
      setTimeout(lose, 10);
      throw new Error('mapAsync: device is lost');
    });
    expect(await result).toBe('wasm');
    expect(log.reloads).toBe(1);
  });

  it('a loss after the call finished does not rerun it', async () => {
    const { fallback, lose, log } = setup();
    expect(await fallback.run(async () => 'first')).toBe('first');
    lose();
    await Promise.resolve();
    expect(log.reloads).toBe(0);
  });

  it('without a way to reload, a lost device fails the call instead of hanging', async () => {
    const { fallback, lose } = setup({ recover: false });
    const result = fallback.run(async () => {
      lose();
      return never();
    });
    await expect(result).rejects.toThrow(/cannot reload on WASM/);
    await expect(fallback.run(async () => 'again')).rejects.toThrow(DeviceFallbackError);
  });

  it('ignores a loss after dispose', async () => {
    const { fallback, lose, log } = setup();
    await fallback.dispose();
    lose();
    await Promise.resolve();
    expect(log.released).toEqual(['webgpu']);
    expect(await fallback.run(async (b) => b.name)).toBe('webgpu');
    expect(log.reloads).toBe(0);
  });

  it("onnxruntime's lost-device error counts as the loss even when GPUDevice.lost never resolves", async () => {
    const { fallback, log } = setup();
    const seen: string[] = [];
    const ortError = new Error(
      "failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: BufferManager::Download: mapAsync failed: Failed to download data from buffer",
    );
    const result = await fallback.run(async (b) => {
      seen.push(b.name);
      if (b.name === 'webgpu') throw ortError;
      return 'answer';
    });
    expect(result).toBe('answer');
    expect(seen).toEqual(['webgpu', 'wasm']);
    expect(log.reloads).toBe(1);
    expect(log.warnings).toHaveLength(1);
    // Any other error of the runtime is the call's own, after the grace period.
    await expect(fallback.run(async () => Promise.reject(new Error('Gather: indices out of bounds')))).rejects.toThrow('Gather');
    expect(log.reloads).toBe(1);
  });
});

