"""State-dict helpers that every family's checkpoint conversion uses.

Each family's ``checkpoint`` module recognises its own formats (``owns``)
and renames them (pure functions, state dict to state dict); what they
share is here: reading a file, finding the state dict inside it, its
backbone part, and describing how a state dict fails to fit a model.
"""
from mmengine.runner.checkpoint import CheckpointLoader

from ...errors import UserError


class CheckpointMismatchError(UserError, ValueError):
    """A checkpoint that does not fit the model it is loaded into."""


def load_checkpoint_file(filename):
    """Read a checkpoint from a path or URL onto the CPU (a missing or
    corrupt local file raises the loader's ``MissingFileError`` or
    ``CorruptFileError``, see ``evit_dense.runtime.checkpoint_io``)."""
    return CheckpointLoader.load_checkpoint(filename, map_location='cpu')


def unwrap_state_dict(checkpoint):
    """The state dict inside an MMEngine (``state_dict``), official (``model``)
    or bare checkpoint."""
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint, dict) and isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def backbone_part(state_dict):
    """The ``backbone.`` entries of a whole model's state dict, without the
    prefix; a backbone's own state dict is returned as it is."""
    if any(k.startswith('backbone.') for k in state_dict):
        return {k[len('backbone.'):]: v for k, v in state_dict.items()
                if k.startswith('backbone.')}
    return state_dict


def state_dict_mismatches(state_dict, model_state):
    """``(missing, unexpected, wrong_shapes)``: what keeps ``state_dict``
    from loading strictly into a module whose state is ``model_state``."""
    # BatchNorm counters are optional, as for torch and mmengine.
    missing = sorted(k for k in set(model_state) - set(state_dict)
                     if not k.endswith('num_batches_tracked'))
    unexpected = sorted(set(state_dict) - set(model_state))
    wrong_shapes = [
        f'{k}: checkpoint {tuple(state_dict[k].shape)} vs model '
        f'{tuple(model_state[k].shape)}'
        for k in sorted(set(state_dict) & set(model_state))
        if state_dict[k].shape != model_state[k].shape]
    return missing, unexpected, wrong_shapes


def state_dict_problems(state_dict, model_state):
    """What keeps ``state_dict`` from loading strictly into ``model_state``:
    a list of readable problems, empty when it fits."""
    missing, unexpected, wrong_shapes = state_dict_mismatches(state_dict,
                                                              model_state)
    return [f'{len(items)} {what}, e.g. {items[:3]}' for what, items in (
        ('missing', missing), ('unexpected', unexpected),
        ('with other shapes', wrong_shapes)) if items]


def check_module_state_dict(state_dict, prefix, model_state, name):
    """Raise :class:`CheckpointMismatchError` unless the entries of
    ``state_dict`` under ``prefix`` match ``model_state`` in names and shapes.

    A checkpoint without any entry under ``prefix`` passes (the module is
    simply not in it).
    """
    own = {k[len(prefix):]: v for k, v in state_dict.items()
           if k.startswith(prefix)}
    if not own:
        return
    problems = state_dict_problems(own, model_state)
    if problems:
        raise CheckpointMismatchError(
            f'The checkpoint\'s {prefix!r} weights do not fit this {name} (a '
            f'checkpoint of another model or settings?): {"; ".join(problems)}')
