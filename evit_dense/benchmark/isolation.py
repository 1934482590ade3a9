"""A measurement in a fresh process, so that what one model allocated (or
the allocator kept) cannot count towards another's peak memory."""
import multiprocessing
import os
import queue as queue_module


def run_isolated(target, *args, environ=None):
    """Run ``target(*args, queue)`` in a fresh process started with the
    extra environment variables ``environ``; return what it puts. If the
    process dies without a result, end the run (its error is on stderr)."""
    context = multiprocessing.get_context('spawn')
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    saved = dict(os.environ)
    os.environ.update(environ or {})
    try:
        process.start()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    while True:
        try:
            result = queue.get(timeout=1)
            break
        except queue_module.Empty:
            if not process.is_alive():
                raise SystemExit(f'benchmark: {target.__name__} failed '
                                 f'(exit code {process.exitcode}); its error '
                                 'is printed above.')
    process.join()
    return result
