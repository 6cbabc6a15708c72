"""Run by ``torchrun`` in test_train_distributed.py: ``ddp_worker.py CONFIG_JSON RUN_DIR OUT_DIR``.

Trains the config with :func:`senga.train.train` and, after the last step,
saves this rank's generator weights as ``OUT_DIR/rank{RANK}.safetensors`` (the
test compares the ranks).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from safetensors.torch import save_file

from senga.train import TrainConfig, train


def main() -> None:
    config_path, run_dir, out_dir = sys.argv[1:4]
    config = TrainConfig.load(config_path)
    rank = int(os.environ["RANK"])

    def save_weights(step: int, model) -> None:
        if step == config.steps:
            state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
            save_file(state, str(Path(out_dir) / f"rank{rank}.safetensors"))

    train(config, run_dir, progress=False, on_step=save_weights)


if __name__ == "__main__":
    main()
