"""`neuronet filter IN OUT --kernel NAME`: image files in and out, --list, --help and errors."""

import sys

import numpy as np
import pytest

from neuronet.vision import apply_filter, filter_names
from neuronet.vision.image_io import read_image, write_image

Image = pytest.importorskip("PIL.Image")


@pytest.fixture
def picture(tmp_path):
    """An RGB PNG with structure (a gradient and a square) and its pixels."""
    yy, xx = np.mgrid[0:20, 0:30]
    rgb = np.stack([xx * 8, yy * 12, np.full_like(xx, 90)], axis=2).astype(np.uint8)
    rgb[5:12, 8:20] = 250
    path = tmp_path / "in.png"
    Image.fromarray(rgb).save(path)
    return path, rgb


def test_filters_an_rgb_png(run_cli, picture, tmp_path):
    path, rgb = picture
    out = tmp_path / "out.png"
    status, stdout, err = run_cli("filter", path, out, "--kernel", "emboss")
    assert (status, err) == (0, "")
    assert "emboss" in stdout and "20x30 RGB" in stdout
    np.testing.assert_array_equal(np.asarray(Image.open(out)), apply_filter(rgb, "emboss"))


def test_options_reach_the_filter_and_grey_stays_grey(run_cli, picture, tmp_path):
    path, rgb = picture
    grey_path = tmp_path / "grey.png"
    Image.fromarray(rgb).convert("L").save(grey_path)
    grey = np.asarray(Image.open(grey_path))
    out = tmp_path / "blurred.png"
    status, _, _ = run_cli("filter", grey_path, out, "--kernel", "gaussian-blur", "--sigma",
                           "2.5", "--size", "5", "--mode", "wrap")
    assert status == 0
    written = Image.open(out)
    assert written.mode == "L"
    expected = apply_filter(grey, "gaussian-blur", sigma=2.5, size=5, mode="wrap")
    np.testing.assert_array_equal(np.asarray(written), expected)
    assert not np.array_equal(expected, apply_filter(grey, "gaussian-blur"))


def test_alpha_and_palette_images_are_read_as_rgb(picture, tmp_path):
    path, rgb = picture
    rgba = tmp_path / "rgba.png"
    Image.fromarray(rgb).convert("RGBA").save(rgba)
    np.testing.assert_array_equal(read_image(rgba), rgb)
    palette = tmp_path / "palette.gif"
    Image.fromarray(rgb).convert("P").save(palette)
    assert read_image(palette).shape == rgb.shape


def test_writes_other_formats_by_extension(run_cli, picture, tmp_path):
    path, _ = picture
    out = tmp_path / "out.jpg"
    assert run_cli("filter", path, out, "--kernel", "median")[0] == 0
    with Image.open(out) as written:
        assert written.format == "JPEG"


def test_list_shows_every_filter_with_its_options(run_cli):
    status, out, err = run_cli("filter", "--list")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    for name in filter_names():
        assert any(line.startswith(f"{name} ") for line in lines), name
    assert "sigma=1.0, size=auto, mode=reflect" in out
    assert "size=5, strength=1.0, mode=reflect" in out


def test_help_explains_the_command(run_cli):
    status, out, err = run_cli("filter", "--help")
    assert (status, err) == (0, "")
    assert out.startswith("usage: neuronet filter")
    text = " ".join(out.split())
    for fragment in ("--kernel", "--list", "--sigma", "--size", "--strength", "--mode",
                     "neuronet filter photo.jpg relief.png --kernel emboss", "Pillow",
                     "reflect, mirror, nearest, wrap, constant", *filter_names()):
        assert fragment in text, fragment
    _, top, _ = run_cli("--help")
    assert "    filter " in top


@pytest.mark.parametrize("args, fragments", [
    (["--kernel", "blur"], ["unknown filter 'blur'", "box-blur, gaussian-blur"]),
    (["--kernel", "emboss", "--sigma", "2"], ["--sigma does not apply to emboss",
                                               "its options are: --mode"]),
    (["--kernel", "box-blur", "--size", "4"], ["box_blur: size must be an odd", "4"]),
    (["--kernel", "sharpen", "--strength", "-1"], ["--strength", "[0, inf)"]),
    (["--kernel", "box-blur", "--mode", "edge"], ["unknown border mode 'edge'", "reflect"]),
    (["--kernel", "gaussian-blur", "--sigma", "0"], ["--sigma", "(0, inf)"]),
    ([], ["--kernel required", "--list"]),
])
def test_bad_options(run_cli, usage_error, picture, tmp_path, args, fragments):
    path, _ = picture
    out = tmp_path / "out.png"
    usage_error(run_cli("filter", path, out, *args), *fragments)
    assert not out.exists()


def test_missing_file_names(run_cli, usage_error, picture):
    usage_error(run_cli("filter", "--kernel", "emboss"), "IN and OUT required")
    usage_error(run_cli("filter", picture[0], "--kernel", "emboss"), "IN and OUT required")


@pytest.mark.parametrize("make_input, fragments", [
    (lambda folder: folder / "nothing.png", ["no image file", "nothing.png"]),
    (lambda folder: _write(folder / "notes.png", b"not an image"),
     ["notes.png", "not an image file Pillow can read"]),
    (lambda folder: folder, ["no image file"]),
])
def test_unreadable_input(run_cli, usage_error, tmp_path, make_input, fragments):
    out = tmp_path / "out.png"
    usage_error(run_cli("filter", make_input(tmp_path), out, "--kernel", "sobel"),
                "neuronet filter", *fragments)
    assert not out.exists()


def test_truncated_input(run_cli, usage_error, picture, tmp_path):
    path, _ = picture
    data = path.read_bytes()
    cut = _write(tmp_path / "cut.png", data[: len(data) // 2])
    usage_error(run_cli("filter", cut, tmp_path / "out.png", "--kernel", "sobel"),
                "cannot read the image", "cut.png")


def test_unknown_output_extension_fails_before_reading(run_cli, usage_error, tmp_path):
    usage_error(run_cli("filter", tmp_path / "nothing.png", tmp_path / "out.xyz", "--kernel",
                        "sobel"), "out.xyz", "extension '.xyz'", ".png, .jpg")
    usage_error(run_cli("filter", tmp_path / "nothing.png", tmp_path / "out", "--kernel",
                        "sobel"), "extension '(none)'")


def test_an_existing_output_survives_a_failed_write(picture, tmp_path, monkeypatch):
    path, rgb = picture
    out = tmp_path / "out.png"
    write_image(out, rgb)
    before = out.read_bytes()

    def broken_save(self, fp, format=None, **params):
        fp.write(b"half an image")
        raise OSError("disk full")
    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_image(out, rgb[::-1])
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "out.png"]  # no temp file


def test_write_image_refuses_float_images(tmp_path):
    with pytest.raises(ValueError, match="expected a uint8 .* got float64 of shape"):
        write_image(tmp_path / "x.png", np.zeros((3, 3)))


def test_without_pillow_the_error_says_how_to_install_it(run_cli, usage_error, picture,
                                                         tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL.Image", None)  # import PIL.Image now fails
    usage_error(run_cli("filter", picture[0], tmp_path / "out.png", "--kernel", "emboss"),
                "neuronet filter needs the optional package 'PIL.Image'",
                "pip install neuronet[plot]")
    assert run_cli("filter", "--list")[0] == 0  # listing needs no Pillow


def _write(path, data):
    path.write_bytes(data)
    return path
