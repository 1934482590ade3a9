"""A hook the tool tests load through ``custom_imports``: it saves where a
training run starts from, so a test can compare it with the checkpoint the
run resumed."""
import torch
from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class SaveTrainStartHook(Hook):
    """Saves the iteration and optimizer state when training starts (after
    the Runner has resumed).

    Args:
        out_file (str): Where to ``torch.save`` them.
    """

    def __init__(self, out_file):
        self.out_file = out_file

    def before_train(self, runner):
        torch.save(dict(iter=runner.iter,
                        optimizer=runner.optim_wrapper.state_dict()),
                   self.out_file)
