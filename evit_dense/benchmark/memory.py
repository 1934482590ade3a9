"""Peak memory of one step, measured alone in a fresh process.

On CPU it is the peak resident memory (Linux's VmHWM, reset after the
warm-up step) above the resident memory at the start of the step, with glibc
told to return every block over 128 KiB to the system when freed
(:data:`MEMORY_ENVIRON`, set when the process starts), so that resident
memory follows the live tensors rather than the allocator's cache. On CUDA it
is the peak allocated memory. The warm-up step makes the one-time
allocations, such as oneDNN's caches.
"""
import resource

import torch

from .cases import build_cases
from .timing import run_steps

BYTES_PER_MB = 2 ** 20
# A fixed mmap threshold stops glibc from keeping freed tensors in its heap.
MEMORY_ENVIRON = {'MALLOC_MMAP_THRESHOLD_': str(128 * 1024)}


def current_rss_mb():
    with open('/proc/self/statm') as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / BYTES_PER_MB


def peak_rss_mb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    raise RuntimeError('benchmark: /proc/self/status has no VmHWM')


def reset_peak_rss():
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')  # 5: reset the peak resident set size


def parameter_count(model):
    """Parameters, and the per-pair attention biases that the deploy form
    keeps as buffers (``cached_bias``) in place of the bias table: the
    weights a row's model holds, whatever their kind."""
    return sum(p.numel() for p in model.parameters()) + sum(
        b.numel() for n, b in model.named_buffers() if 'cached_bias' in n)


def measure_memory(kind, spec, shape, batch, device, mode, queue):
    """Peak memory of one step of one spec after a warm-up step, alone in
    its process (a target of :func:`.isolation.run_isolated`, which starts
    it with :data:`MEMORY_ENVIRON`)."""
    (model, step), = build_cases(kind, [spec], shape, batch, device,
                                 mode).values()
    cuda = device.startswith('cuda')
    with torch.set_grad_enabled(mode == 'train'):
        run_steps(step, model, 1, cuda)
        if cuda:
            torch.cuda.reset_peak_memory_stats()
            baseline = torch.cuda.memory_allocated() / BYTES_PER_MB
        else:
            reset_peak_rss()
            baseline = current_rss_mb()
        run_steps(step, model, 1, cuda)
    peak = (torch.cuda.max_memory_allocated() / BYTES_PER_MB if cuda
            else peak_rss_mb())
    queue.put(dict(peak_mb=peak - baseline,
                   params_m=parameter_count(model) / 1e6))
