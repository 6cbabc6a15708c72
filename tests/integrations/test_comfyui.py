"""ComfyUI nodes, without ComfyUI: the node contract, batches equal to LineExtractor,
styles, the loader cache, ComfyUI's device / progress / cancel hooks, and loading
the folder the way ComfyUI loads a custom node."""

from __future__ import annotations

import importlib.util
import inspect
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch
from comfy_helpers import to_comfy
from images import drawn_image

import senga.integrations.comfyui as comfyui_package
from senga.extract import LineExtractor
from senga.extract.style import STYLES, OutputStyle, adjust_ink, render_gray
from senga.integrations.comfyui import (
    FOLDER,
    NODE_CLASS_MAPPINGS,
    NODE_DISPLAY_NAME_MAPPINGS,
    SengaLineArt,
    SengaLoadModel,
    SengaModel,
    load_model,
)
from senga.integrations.comfyui.models import clear_cache
from senga.integrations.comfyui.runtime import pick_device
from senga.io import gray_to_ink
from senga.models import bundled_model_dir, create_model, save_pretrained

SIZE = 64
TILE = (
    32  # 2 x 2 tiles per 64 px image (with no overlap): the node's tiling settings must reach the extractor
)
OVERLAP = 0


@pytest.fixture(scope="module")
def images() -> list[np.ndarray]:
    return [drawn_image(SIZE, seed) for seed in (1, 2, 3)]


@pytest.fixture(scope="module")
def model() -> SengaModel:
    return load_model("bundled", "cpu")


@pytest.fixture(scope="module")
def reference(images) -> list[np.ndarray]:
    """``LineExtractor`` on each image, black style, same tiling: ``(H, W) uint8``."""
    extractor = LineExtractor.from_pretrained(device="cpu", tile=TILE, overlap=OVERLAP)
    return [np.asarray(extractor(rgb)) for rgb in images]


def run(
    model: SengaModel, batch: torch.Tensor, style: str = "black", **options
) -> tuple[torch.Tensor, torch.Tensor]:
    node = SengaLineArt()
    options = {"tile": TILE, "overlap": OVERLAP, "device": "model", **options}
    return getattr(node, SengaLineArt.FUNCTION)(image=batch, senga_model=model, style=style, **options)


@pytest.fixture(scope="module")
def black(model, images) -> tuple[torch.Tensor, torch.Tensor]:
    return run(model, to_comfy(images))


# --- the node contract -------------------------------------------------------------------


def _check_input_spec(name: str, spec: tuple) -> None:
    assert isinstance(spec, tuple) and 1 <= len(spec) <= 2, name
    kind = spec[0]
    options = spec[1] if len(spec) == 2 else {}
    assert isinstance(options, dict), name
    if isinstance(kind, list):  # a combo: the default must be one of the choices
        assert kind and all(isinstance(c, str) for c in kind), name
        assert options.get("default", kind[0]) in kind, name
    elif kind in ("INT", "FLOAT"):
        assert options["min"] <= options["default"] <= options["max"], name
    elif kind in ("STRING", "BOOLEAN"):
        assert "default" in options, name
    else:
        assert isinstance(kind, str) and kind.isupper(), name  # a link type: IMAGE, SENGA_MODEL ...


@pytest.mark.parametrize("key", ["SengaLoadModel", "SengaLineArt"])
def test_node_contract(key: str) -> None:
    cls = NODE_CLASS_MAPPINGS[key]
    assert NODE_DISPLAY_NAME_MAPPINGS[key].startswith("senga: ")
    spec = cls.INPUT_TYPES()
    assert set(spec) <= {"required", "optional", "hidden"} and spec["required"]
    assert isinstance(cls.RETURN_TYPES, tuple) and all(isinstance(t, str) for t in cls.RETURN_TYPES)
    assert isinstance(cls.RETURN_NAMES, tuple) and len(cls.RETURN_NAMES) == len(cls.RETURN_TYPES)
    assert cls.CATEGORY == "senga"
    # ComfyUI calls getattr(node, FUNCTION)(**inputs): every input must be a keyword of
    # that method, and every keyword without a default must be a required input.
    params = inspect.signature(getattr(cls(), cls.FUNCTION)).parameters
    inputs = {**spec["required"], **spec.get("optional", {})}
    for name, input_spec in inputs.items():
        _check_input_spec(name, input_spec)
        assert name in params, f"{key}: input {name!r} is not a parameter of {cls.FUNCTION}"
    for name, p in params.items():
        if p.default is inspect.Parameter.empty:
            assert name in spec["required"], f"{key}: {name!r} has no default and is not required"


def test_the_two_nodes_connect_and_name_the_contract_types() -> None:
    assert {"SengaLoadModel": SengaLoadModel, "SengaLineArt": SengaLineArt} == NODE_CLASS_MAPPINGS
    assert SengaLoadModel.RETURN_TYPES == ("SENGA_MODEL",)
    assert SengaLineArt.INPUT_TYPES()["required"]["senga_model"] == ("SENGA_MODEL",)
    assert SengaLineArt.INPUT_TYPES()["required"]["image"] == ("IMAGE",)
    assert SengaLineArt.RETURN_TYPES == ("IMAGE", "MASK")
    assert tuple(SengaLineArt.INPUT_TYPES()["required"]["style"][0]) == STYLES


def test_widget_defaults_run_as_comfyui_would_call_them(model) -> None:
    """Every widget at its default (what a freshly added node holds), inputs by keyword."""
    loader_inputs = {n: s[1]["default"] for n, s in SengaLoadModel.INPUT_TYPES()["required"].items()}
    assert loader_inputs == {"model": "default", "device": "auto"}
    spec = SengaLineArt.INPUT_TYPES()
    kwargs = {
        n: s[1]["default"] for part in ("required", "optional") for n, s in spec[part].items() if len(s) == 2
    }
    rgb = drawn_image(40, seed=9)[:, :24]  # odd size, far below one default tile
    lines, alpha = getattr(SengaLineArt(), SengaLineArt.FUNCTION)(
        image=to_comfy([rgb]), senga_model=model, **kwargs
    )
    expected = np.asarray(LineExtractor.from_pretrained(device="cpu")(rgb))
    assert lines.shape == (1, 40, 24, 3) and alpha.shape == (1, 40, 24)
    assert np.array_equal(np.rint(lines[0, ..., 0].numpy() * 255).astype(np.uint8), expected)


# --- batches, shapes, styles --------------------------------------------------------------


def test_batch_of_three_gives_three_distinct_results_equal_to_line_extractor(black, reference) -> None:
    lines, alpha = black
    assert lines.dtype == torch.float32 and lines.shape == (3, SIZE, SIZE, 3)
    assert alpha.dtype == torch.float32 and alpha.shape == (3, SIZE, SIZE)
    assert lines.device.type == "cpu" and alpha.device.type == "cpu"
    assert float(lines.min()) >= 0.0 and float(lines.max()) <= 1.0
    outs = [np.rint(lines[i].numpy() * 255).astype(np.uint8) for i in range(3)]
    for out, ref in zip(outs, reference, strict=True):
        assert (out == out[..., :1]).all()  # gray in all three channels
        assert np.array_equal(out[..., 0], ref)
        assert (ref < 128).mean() > 0.01  # the model finds lines: the comparison is not of blank pages
    for i in range(3):
        for j in range(i + 1, 3):
            assert not np.array_equal(outs[i], outs[j])
    # the mask is the line alpha: 1 = line, exactly the ink of the 8-bit result
    for i in range(3):
        assert np.array_equal(alpha[i].numpy(), gray_to_ink(reference[i]))


def test_controlnet_and_alpha_styles(model, images, black, reference) -> None:
    batch = to_comfy(images)
    cn_lines, cn_alpha = run(model, batch, "controlnet")
    assert cn_lines.shape == (3, SIZE, SIZE, 3)
    cn = np.rint(cn_lines.numpy() * 255).astype(np.int16)
    assert np.abs(cn[..., 0] - (255 - np.stack(reference).astype(np.int16))).max() <= 1  # white on black
    assert torch.equal(cn_alpha, black[1])

    a_lines, a_alpha = run(model, batch, "alpha", line_color="#ff0000")
    assert a_lines.shape == (3, SIZE, SIZE, 4) and a_lines.dtype == torch.float32
    rgba = np.rint(a_lines.numpy() * 255).astype(np.uint8)
    assert (rgba[..., :3] == np.array([255, 0, 0], np.uint8)).all()
    assert np.abs(rgba[..., 3].astype(np.int16) - np.rint(a_alpha.numpy() * 255)).max() == 0
    for i in range(3):  # the same bytes as senga's one style implementation
        expected = np.asarray(render_gray(reference[i], OutputStyle("alpha", color=(255, 0, 0))))
        assert np.array_equal(rgba[i], expected)


def test_gamma_and_drop_below_reach_image_and_mask(model, images, reference) -> None:
    lines, alpha = run(model, to_comfy(images[:1]), "black", gamma=0.5, drop_below=0.2)
    ink = gray_to_ink(reference[0])
    assert np.allclose(alpha[0].numpy(), adjust_ink(ink, 0.5, 0.2), atol=1e-6)
    expected = np.asarray(render_gray(reference[0], OutputStyle("black", gamma=0.5, drop_below=0.2)))
    assert np.array_equal(np.rint(lines[0, ..., 0].numpy() * 255).astype(np.uint8), expected)
    assert not np.array_equal(expected, reference[0])


def test_rgba_and_gray_images(model, images, black) -> None:
    rgb = images[0]
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    lines4, _ = run(model, to_comfy([rgba]))
    assert torch.equal(lines4[0], black[0][0])  # opaque alpha changes nothing
    gray = rgb[..., 1:2]
    lines1, _ = run(model, to_comfy([gray]))
    lines3, _ = run(model, to_comfy([np.repeat(gray, 3, axis=2)]))
    assert torch.equal(lines1, lines3)


@pytest.mark.parametrize(
    ("batch", "options", "message"),
    [
        (torch.zeros(SIZE, SIZE, 3), {}, "expected an IMAGE"),
        (torch.zeros(1, SIZE, SIZE, 2), {}, "expected an IMAGE"),
        (torch.zeros(1, SIZE, SIZE, 3), {"style": "sepia"}, "unknown style"),
        (torch.zeros(1, SIZE, SIZE, 3), {"line_color": "red-ish"}, "hex color"),
        (torch.zeros(1, SIZE, SIZE, 3), {"tile": 8}, "tile must be"),
        (torch.zeros(1, SIZE, SIZE, 3), {"device": "tpu9"}, "device"),
        (torch.zeros(1, SIZE, SIZE, 3), {"half": True, "device": "cpu"}, "half precision"),
    ],
)
def test_bad_inputs_raise_one_line_value_errors(model, batch, options, message) -> None:
    style = options.pop("style", "black")
    with pytest.raises(ValueError, match=message) as info:
        run(model, batch, style, **options)
    assert "\n" not in str(info.value)


# --- the loader -----------------------------------------------------------------------------


def test_loader_returns_the_same_object_twice() -> None:
    node = SengaLoadModel()
    (first,) = getattr(node, SengaLoadModel.FUNCTION)(model="bundled", device="cpu")
    (second,) = SengaLoadModel().load(model=str(bundled_model_dir()), device="cpu")
    assert first is second
    assert isinstance(first, SengaModel) and first.folder == bundled_model_dir()
    assert first.device == torch.device("cpu") and not first.module.training
    assert next(first.module.parameters()).device.type == "cpu"


def test_loader_folder_cache_and_reload_on_change(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    torch.manual_seed(0)
    save_pretrained(create_model("senga-noattn"), folder, dtype=torch.float16)
    stamp = SengaLoadModel.IS_CHANGED(model=str(folder), device="cpu")
    a = load_model(folder, "cpu")
    assert load_model(str(folder) + os.sep, "cpu") is a
    assert SengaLoadModel.IS_CHANGED(model=str(folder), device="cpu") == stamp
    # a new checkpoint written in place is picked up (ComfyUI re-runs the loader: IS_CHANGED differs)
    torch.manual_seed(1)
    save_pretrained(create_model("senga-noattn"), folder, dtype=torch.float16)
    os.utime(folder / "model.safetensors", ns=(1, 1))
    assert SengaLoadModel.IS_CHANGED(model=str(folder), device="cpu") != stamp
    b = load_model(folder, "cpu")
    assert b is not a and load_model(folder, "cpu") is b
    clear_cache()
    assert load_model(folder, "cpu") is not b


def test_loader_bad_folder_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=str(tmp_path / "nothing")):
        load_model(tmp_path / "nothing", "cpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (none here)")
def test_cuda_device_matches_cpu(model, images, black) -> None:
    (on_gpu,) = SengaLoadModel().load(model="bundled", device="cuda")
    assert next(on_gpu.module.parameters()).device.type == "cuda"
    for senga_model, device in ((on_gpu, "model"), (model, "cuda")):
        lines, alpha = run(senga_model, to_comfy(images), device=device)
        assert lines.device.type == "cpu" and alpha.device.type == "cpu"  # ComfyUI keeps IMAGEs on the CPU
        assert float((lines - black[0]).abs().max()) <= 2 / 255


# --- running inside ComfyUI: device, progress, cancel ---------------------------------------


class Interrupted(Exception):
    """Stands for comfy.model_management.InterruptProcessingException."""


@pytest.fixture
def fake_comfy(monkeypatch, tmp_path: Path):
    """Stand-ins for ComfyUI's ``comfy`` package (the three hooks the nodes use) and ``folder_paths``."""
    state = types.SimpleNamespace(device=torch.device("cpu"), interrupt_after=None, checks=0, updates=[])
    folder_paths = types.ModuleType("folder_paths")
    folder_paths.models_dir = str(tmp_path / "ComfyUI" / "models")
    monkeypatch.setitem(sys.modules, "folder_paths", folder_paths)
    mm = types.ModuleType("comfy.model_management")

    def throw_exception_if_processing_interrupted() -> None:
        state.checks += 1
        if state.interrupt_after is not None and state.checks > state.interrupt_after:
            raise Interrupted()

    mm.get_torch_device = lambda: state.device
    mm.throw_exception_if_processing_interrupted = throw_exception_if_processing_interrupted

    class ProgressBar:
        def __init__(self, total: int) -> None:
            state.total = total

        def update_absolute(self, value: int, total: int | None = None) -> None:
            state.updates.append((value, total))

    utils = types.ModuleType("comfy.utils")
    utils.ProgressBar = ProgressBar
    comfy = types.ModuleType("comfy")
    comfy.model_management, comfy.utils = mm, utils
    for name, module in {"comfy": comfy, "comfy.model_management": mm, "comfy.utils": utils}.items():
        monkeypatch.setitem(sys.modules, name, module)
    return state


def test_auto_device_is_comfyuis_choice_inside_comfyui(fake_comfy) -> None:
    fake_comfy.device = torch.device("meta")  # whatever ComfyUI says, "auto" follows
    assert pick_device("auto") == torch.device("meta")
    assert pick_device("cpu") == torch.device("cpu")


def test_model_names_are_looked_up_in_comfyuis_models_folder(fake_comfy, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "ComfyUI" / "models" / "senga" / "mine"
    save_pretrained(create_model("senga-noattn"), folder, dtype=torch.float16)
    monkeypatch.chdir(tmp_path)
    (loaded,) = SengaLoadModel().load(model="mine", device="cpu")
    assert loaded.folder == folder.resolve()
    assert load_model(folder, "cpu") is loaded  # the full path is the same cache entry
    assert load_model("bundled", "cpu").folder == bundled_model_dir()


def test_auto_device_outside_comfyui() -> None:
    assert importlib.util.find_spec("comfy") is None, "these tests run without ComfyUI"
    assert pick_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_progress_and_cancel_inside_comfyui(fake_comfy, model, images) -> None:
    run(model, to_comfy(images[:2]))
    assert fake_comfy.total == 200 and fake_comfy.updates[-1] == (200, 200)
    values = [v for v, _ in fake_comfy.updates]
    assert values == sorted(values) and len(values) == 8  # 2 images x 4 tiles of 32 px
    assert fake_comfy.checks == 8  # a cancel check after every tile
    fake_comfy.checks, fake_comfy.interrupt_after = 0, 1  # the user presses Cancel during the first image
    with pytest.raises(Interrupted):
        run(model, to_comfy(images[:2]))
    assert fake_comfy.checks == 2


# --- loading the folder as ComfyUI does ------------------------------------------------------


def _load_as_custom_node(folder: Path, module_name: str) -> types.ModuleType:
    """What ComfyUI's nodes.load_custom_node does with a folder in custom_nodes/."""
    spec = importlib.util.spec_from_file_location(module_name, folder / "__init__.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[module_name]
    return module


@pytest.mark.parametrize("how", ["symlink", "copy"])
def test_folder_loads_as_a_custom_node_under_a_foreign_name(tmp_path: Path, how: str, images, black) -> None:
    target = tmp_path / "ComfyUI" / "custom_nodes" / "senga_comfyui"
    target.parent.mkdir(parents=True)
    if how == "symlink":
        target.symlink_to(FOLDER, target_is_directory=True)
    else:
        shutil.copytree(FOLDER, target, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("senga_comfyui", str(target).replace(".", "_x_")):
        module = _load_as_custom_node(target, name)
        assert module.NODE_CLASS_MAPPINGS == NODE_CLASS_MAPPINGS  # the installed nodes, one copy
        assert module.NODE_DISPLAY_NAME_MAPPINGS == NODE_DISPLAY_NAME_MAPPINGS
    (loaded,) = module.NODE_CLASS_MAPPINGS["SengaLoadModel"]().load(model="bundled", device="cpu")
    assert loaded is load_model("bundled", "cpu")
    lines, _ = module.NODE_CLASS_MAPPINGS["SengaLineArt"]().extract(
        image=to_comfy(images[:1]),
        senga_model=loaded,
        style="black",
        tile=TILE,
        device="model",
        overlap=OVERLAP,
    )
    assert torch.equal(lines[0], black[0][0])


def test_copied_folder_without_senga_says_how_to_install(tmp_path: Path) -> None:
    target = tmp_path / "custom_nodes" / "senga_comfyui"
    shutil.copytree(FOLDER, target, ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('senga_comfyui', {str(target / '__init__.py')!r})\n"
        "module = importlib.util.module_from_spec(spec); sys.modules['senga_comfyui'] = module\n"
        "spec.loader.exec_module(module)\n"
    )
    # -I -S: no site-packages and no PYTHONPATH, so no senga (nor torch), as in a ComfyUI Python without senga
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: senga ComfyUI nodes: the senga package is not installed")
    assert "-m pip install" in last


def test_package_folder_is_the_custom_node_folder() -> None:
    assert Path(FOLDER) == Path(comfyui_package.__file__).parent
    assert (Path(FOLDER) / "README.md").is_file()
