"""Ring loss for PyTorch, the same formula as ringloss4j's RingLossBlock + RingLoss.

    L = lambda * mean_i rho(||f_i|| - R)

with R a learned scalar started at the first training batch's mean feature norm (held constant for that
batch: R gets no gradient from it, as in the Java library), and rho one of the library's penalties,
named with the same specification strings (`squared`, `huber(delta=0.5)`, `cauchy(scale=2.3849)`,
`geman(scale=1)`, `barron(alpha=1, scale=1)`, `keras-huber(delta=1)`; defaults as in
io.github.ringloss4j.penalty.Penalties). Its values and gradients are checked against the Java
library's by core's PyTorchRingLossTest on fixtures this directory's fixtures/make_ring_fixtures.py
writes, so a PyTorch (DDP) run and a Java run train the identical objective.

Under DistributedDataParallel, R's first value is the mean over every rank's first batch
(all_reduce), so all replicas start from the same R. Give R its own parameter group without weight
decay; with SGD the library's `--radius-lr-mult auto` is lr / lambda (R's gradient is lambda-small).
"""

import math
import re

import torch
from torch import nn

_SPEC = re.compile(r"^\s*([a-z0-9-]+)\s*(?:\((.*)\))?\s*$")
_DEFAULTS = {
    "squared": {}, "l2": {}, "smoothl1": {},
    "huber": {"delta": 1.0}, "keras-huber": {"delta": 1.0},
    "cauchy": {"scale": 2.3849},
    "geman": {"scale": 1.0}, "geman-mcclure": {"scale": 1.0},
    "barron": {"alpha": 1.0, "scale": 1.0},
}


def parse_penalty(spec):
    """(name, parameters) of a specification such as 'huber(delta=0.5)'."""
    m = _SPEC.match(spec.lower())
    if not m or m.group(1) not in _DEFAULTS:
        raise ValueError(f"unknown penalty {spec!r}; valid names: {sorted(_DEFAULTS)}")
    name, params = m.group(1), dict(_DEFAULTS[m.group(1)])
    for item in filter(None, (p.strip() for p in (m.group(2) or "").split(","))):
        key, _, value = item.partition("=")
        if key.strip() not in params:
            raise ValueError(f"{spec!r}: {name} takes {sorted(params) or 'no parameters'}")
        params[key.strip()] = float(value)
    return name, params


def penalty(spec):
    """rho as a function of the residual tensor e."""
    name, p = parse_penalty(spec)
    if name in ("squared", "l2"):
        return lambda e: 0.5 * e * e
    if name in ("huber", "smoothl1"):
        d = p.get("delta", 1.0)
        return lambda e: torch.where(e.abs() <= d, 0.5 * e * e, d * (e.abs() - 0.5 * d))
    if name == "keras-huber":
        d = p["delta"]
        return lambda e: torch.where(e < d, 0.5 * e * e, d * (e - 0.5 * d))
    if name == "cauchy":
        c = p["scale"]
        return lambda e: 0.5 * c * c * torch.log1p((e / c) ** 2)
    if name in ("geman", "geman-mcclure"):
        c = p["scale"]
        return lambda e: 0.5 * c * c * (e / c) ** 2 / (1 + (e / c) ** 2)
    alpha, c = p["alpha"], p["scale"]
    return lambda e: _barron(e, alpha, c)


def _barron(e, alpha, c):
    """Barron's general loss rho(e; alpha, c), its limits at alpha = 2, 0, -inf taken exactly."""
    z = (e / c) ** 2
    if alpha == 2:
        return 0.5 * c * c * z
    if alpha == 0:
        return c * c * torch.log1p(0.5 * z)
    if alpha == -math.inf:
        return -c * c * torch.expm1(-0.5 * z)
    beta = abs(alpha - 2)
    return c * c * beta / alpha * ((z / beta + 1) ** (alpha / 2) - 1)


class RingLoss(nn.Module):
    """lambda * mean_i rho(||f_i|| - R) with a learned radius R."""

    def __init__(self, penalty_spec="squared", lam=0.01, radius=None):
        super().__init__()
        self.rho = penalty(penalty_spec)
        self.lam = lam
        self.radius = nn.Parameter(torch.tensor(math.nan if radius is None else float(radius)))
        # The buffer travels with state_dict(); the Python flag keeps the per-step check off the device.
        self.register_buffer("started", torch.tensor(radius is not None))
        self._started = radius is not None

    def forward(self, features):
        norms = torch.linalg.vector_norm(features, dim=1)
        if self.training and not self._started:
            self._started = bool(self.started)  # True when R came from a loaded state_dict
        if self.training and not self._started:
            with torch.no_grad():
                mean = norms.mean().to(self.radius.dtype)
                if torch.distributed.is_available() and torch.distributed.is_initialized():
                    torch.distributed.all_reduce(mean)
                    mean /= torch.distributed.get_world_size()
                self.radius.fill_(mean)
                self.started.fill_(True)
            self._started = True
            residual = norms - mean
        else:
            residual = norms - self.radius.to(norms.dtype)
        return self.lam * self.rho(residual).mean()
