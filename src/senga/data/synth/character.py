"""A character: back-to-front assembly of hair, tail, body, arms, ears, head, face and bangs.

The painter's algorithm does the occlusion: each part painted later hides the
fill *and* the lines of the parts behind it, so the ground truth shows only
visible lines, like an artist's line layer.
"""

from __future__ import annotations

import numpy as np

from senga.data.synth import body, face, fills, hair, props, shapes
from senga.data.synth.context import Ctx, Palette
from senga.data.synth.geometry import Affine
from senga.data.synth.painter import Painter


def sample_palette(rng: np.random.Generator, dark: bool) -> Palette:
    """Colors of one figure; ``dark`` makes the hair / fur / clothes likely to be dark fills."""
    fur_kind = int(rng.integers(0, 5))
    fur = [
        fills.hsv(
            rng.uniform(0.04, 0.09), rng.uniform(0.7, 0.95), rng.uniform(0.75, 0.95)
        ),  # red panda orange
        fills.hsv(rng.uniform(0.05, 0.1), rng.uniform(0.35, 0.6), rng.uniform(0.45, 0.7)),  # brown
        fills.hsv(rng.uniform(0.0, 1.0), rng.uniform(0.0, 0.08), rng.uniform(0.88, 0.97)),  # white
        fills.hsv(rng.uniform(0.55, 0.7), rng.uniform(0.05, 0.2), rng.uniform(0.5, 0.75)),  # gray
        fills.hsv(rng.uniform(0.0, 1.0), rng.uniform(0.2, 0.5), rng.uniform(0.75, 0.95)),  # pastel
    ][fur_kind]
    if dark and rng.random() < 0.4:
        fur = fills.hsv(rng.uniform(0.02, 0.1), rng.uniform(0.3, 0.7), rng.uniform(0.15, 0.3))
    return Palette(
        skin=fills.skin(rng),
        hair=fills.hair(rng, dark=dark and rng.random() < 0.7),
        fur=fur,
        fur_light=fills.hsv(rng.uniform(0.08, 0.12), rng.uniform(0.1, 0.35), rng.uniform(0.88, 0.98)),
        fur_dark=fills.hsv(rng.uniform(0.02, 0.08), rng.uniform(0.4, 0.8), rng.uniform(0.15, 0.4)),
        cloth=fills.cloth(rng, dark_prob=0.35 if dark else 0.1),
        cloth2=fills.cloth(rng, dark_prob=0.3 if dark else 0.1),
        accent=fills.vivid(rng),
        eye=fills.vivid(rng),
        mouth=fills.hsv(rng.uniform(0.95, 1.02), rng.uniform(0.5, 0.8), rng.uniform(0.35, 0.6)),
    )


def draw_character(painter: Painter, aff: Affine, rng: np.random.Generator, framing: str) -> None:
    """Paint one character whose head (radius 1 in figure units) ``aff`` places on the canvas."""
    st = painter.style
    pal = sample_palette(rng, st.dark_fill)
    ctx = Ctx(P=painter, A=aff, rng=rng, style=st, pal=pal, yaw=float(rng.uniform(-0.5, 0.5)))
    animal = st.animal
    build = body.sample_build(rng, framing)
    has_hair = not animal or rng.random() < 0.35
    long_hair = has_hair and rng.random() < 0.5

    # -- behind the body
    if has_hair:
        length = build.sy + rng.uniform(0.5, 2.5) if long_hair else rng.uniform(0.2, 0.7)
        hair.back_hair(ctx, length)
    if animal and build.legs and rng.random() < 0.8:
        body.tail(ctx, build)
    if build.legs:
        body.legs(ctx, build)
    head_poly = _head_poly(ctx, animal, framing)
    body.neck(ctx, build, ctx.px(head_poly))
    body.torso(ctx, build)
    if build.legs and not animal and rng.random() < 0.5:
        body.skirt(ctx, build)
    poses = _arm_poses(rng, framing)
    for side, pose in zip((-1, 1), poses):
        if pose not in ("face", "none"):
            body.arm(ctx, build, side, pose)
    if "front" in poses and rng.random() < 0.6:
        props.held_prop(painter, aff, (0.0, build.sy + build.arm_len * 0.45), rng.uniform(0.3, 0.5))

    # -- head
    if animal or rng.random() < 0.15:
        for side in (-1, 1):
            ear, inner = shapes.animal_ear(rng, side)
            m = painter.region(ctx.px(ear), pal.fur if animal else pal.hair)
            if m is not None:
                inner_col = pal.fur_light if rng.random() < 0.5 else fills.hsv(0.97, 0.35, 0.95)
                if rng.random() < 0.5:
                    painter.region(ctx.px(inner), inner_col, lw=0.7, clip=m)
                else:
                    painter.soft_patch(ctx.px(inner), inner_col, m, blur=0.03 * ctx.unit)
    face_col = pal.fur if animal else pal.skin
    face_mask = painter.region(ctx.px(head_poly), face_col, clumps=animal)
    nose_y = 0.45
    if animal:
        nose_y = face.muzzle(ctx, face_mask)
    if rng.random() < 0.5:
        face.blush(ctx, face_mask, rng.uniform(0.38, 0.5))
    eye_x, eye_y, eye_w = face.eyes(ctx, face_mask)
    face.nose(ctx, animal, nose_y)
    face.mouth(ctx, animal, nose_y + (0.16 if animal else rng.uniform(0.15, 0.28)))
    if has_hair:
        bm = hair.bangs(ctx)
        if bm is not None:
            hair.bangs_shadow(ctx, bm, face_mask)
    elif animal and rng.random() < 0.6:
        _fur_tuft(ctx)
    if not animal and rng.random() < 0.1:
        face.glasses(ctx, eye_x, eye_y, eye_w)
    if rng.random() < 0.15:
        hat(ctx)
    elif rng.random() < 0.35:
        side = rng.choice([-1.0, 1.0])
        body.ribbon(ctx, side * rng.uniform(0.5, 0.8), -rng.uniform(0.7, 0.95), rng.uniform(0.18, 0.3))
    for side, pose in zip((-1, 1), poses):
        if pose == "face":
            body.arm(ctx, build, side, pose)


def _head_poly(ctx: Ctx, animal: bool, framing: str) -> np.ndarray:
    rng = ctx.rng
    if animal:
        poly = shapes.animal_head(rng)
        crown = bool(rng.random() < 0.5)

        def fur(p: np.ndarray) -> np.ndarray:  # spikes on the cheeks, sometimes on the crown
            cheeks = np.clip((p[:, 1] + 0.1) * 3.0, 0, 1) * (np.abs(p[:, 0]) > 0.45)
            return np.maximum(cheeks, ((p[:, 1] < -0.75) & crown).astype(float))

        spacing = rng.uniform(0.18, 0.3)
        return shapes.spiky(
            poly, rng, rng.uniform(0.12, 0.25), spacing, shapes.spike_weights(poly, spacing, fur)
        )
    return shapes.human_head(rng, chibi=framing in ("chibi", "closeup"), yaw=ctx.yaw)


def _arm_poses(rng: np.random.Generator, framing: str) -> tuple[str, str]:
    if framing == "closeup":
        if rng.random() < 0.25:
            return ("face", "face") if rng.random() < 0.6 else ("face", "none")
        return ("none", "none")
    choices = ["down", "down", "up", "front"]
    return (str(rng.choice(choices)), str(rng.choice(choices)))


def _fur_tuft(ctx: Ctx) -> None:
    """Spiky fur on top of an animal head (drawn over the head like bangs)."""
    rng, P = ctx.rng, ctx.P
    base = shapes.smooth_closed(
        [(-0.7, -0.55), (-0.5, -0.95), (0.0, -1.05), (0.5, -0.95), (0.7, -0.55), (0.0, -0.7)]
    )
    poly = shapes.spiky(
        base,
        rng,
        rng.uniform(0.15, 0.3),
        rng.uniform(0.18, 0.28),
        shapes.spike_weights(base, 0.2, lambda p: (p[:, 1] < -0.6).astype(float)),
    )
    P.region(ctx.px(poly), ctx.pal.fur, lw=1.0, clumps=True)


def hat(ctx: Ctx) -> None:
    """A hat on top of the head: beanie, bowler / top hat (often a dark fill) or witch hat."""
    rng, P = ctx.rng, ctx.P
    kind = ("beanie", "bowler", "witch")[int(rng.integers(3))]
    col = fills.cloth(rng, dark_prob=0.5)
    y0 = -rng.uniform(0.55, 0.8)
    tilt = rng.normal(0, 0.1)
    if kind == "beanie":
        dome = shapes.smooth_closed(
            [(-1.12, y0 + 0.1), (-0.95, y0 - 0.55), (0.0, y0 - 0.85), (0.95, y0 - 0.55), (1.12, y0 + 0.1)]
        )
        P.region(ctx.px(dome), col)
        band = shapes.smooth_closed(
            [
                (-1.18, y0 - 0.05),
                (0.0, y0 - 0.15),
                (1.18, y0 - 0.05),
                (1.16, y0 + 0.22),
                (0.0, y0 + 0.12),
                (-1.16, y0 + 0.22),
            ]
        )
        m = P.region(ctx.px(band), fills.light_of(P.color(col), 0.3), lw=0.9)
        if m is not None:
            ribs = [
                ctx.px(np.array([(x, y0 - 0.1 + 0.03 * x * x), (x, y0 + 0.18)]))
                for x in np.linspace(-0.9, 0.9, 7)
            ]
            P.lines(ribs, P.pen(0.5, detail=True), clip=m, smooth=False)
        if rng.random() < 0.5:
            P.region(ctx.px(shapes.ellipse(0.0, y0 - 0.9, 0.22, 0.2)), fills.vivid(rng), lw=0.9)
        return
    brim = shapes.ellipse(0.0, y0, rng.uniform(1.1, 1.5), rng.uniform(0.12, 0.22), tilt)
    P.region(ctx.px(brim), col)
    if kind == "bowler":
        h = rng.uniform(0.5, 0.9)
        crown = shapes.smooth_closed(
            [
                (-0.7, y0 + 0.02),
                (-0.72, y0 - h * 0.6),
                (-0.45, y0 - h),
                (0.45, y0 - h),
                (0.72, y0 - h * 0.6),
                (0.7, y0 + 0.02),
            ]
        )
    else:
        h = rng.uniform(1.1, 1.6)
        tip = (rng.uniform(-0.5, 0.5), y0 - h)
        crown = shapes.smooth_closed(
            [(-0.65, y0 + 0.02), (-0.35, y0 - h * 0.5), tip, (0.3, y0 - h * 0.45), (0.65, y0 + 0.02)]
        )
    P.region(ctx.px(crown), col)
    band = shapes.smooth_closed(
        [(-0.7, y0 - 0.02), (0.7, y0 - 0.02), (0.7, y0 - 0.2), (-0.7, y0 - 0.2)], step=0.02
    )
    if rng.random() < 0.7:
        P.region(ctx.px(band), fills.vivid(rng), lw=0.8)
