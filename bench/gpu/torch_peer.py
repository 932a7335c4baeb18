#!/usr/bin/env python3
"""The PyTorch peer of the one-call GPU benchmark (bench/gpu/node-bench.ts writes the problem).

One Sobolev step on the problem sobolev-webgpu times: a 4 -> 64 -> 64 -> 1 tanh MLP, N = 1024
full batch, L = (1 - w) mean((yhat - y)^2) + w mean((dyhat/dx - dydx)^2), Adam, float32, TF32
off. Two formulations, each checked at the initial parameters against the float64 reference
and against sobolev-webgpu's GPU gradient (max over tensors of |g - g_ref|_inf / |g_ref|_inf):
  autograd  torch.autograd.grad(yhat.sum(), x, create_graph=True), then loss.backward()
            (double backward), torch.optim.Adam;
  func      torch.func: vmap over samples of grad(f)(x) for the input gradient, grad_and_value
            of the loss over the parameters (reverse over reverse, functional), Adam by hand.
Timing: blocks of steps ended by torch.cuda.synchronize(), median ms per step.
  python3 torch_peer.py --problem P.json --out R.json [--device cuda|cpu]
"""
import argparse
import json
import statistics
import sys
import time

import torch
from torch import func


def rel_err(a, b):
    diff = (a.double() - b.double()).abs().max().item()
    scale = b.double().abs().max().item()
    return diff / scale if scale > 0 else diff


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda")
    a = ap.parse_args()
    P = json.load(open(a.problem))
    if a.device == "cuda" and not torch.cuda.is_available():
        print("[torch] CUDA is not available (run with --no-cuda to skip this peer)", file=sys.stderr)
        sys.exit(2)
    dev = torch.device(a.device)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    sizes, n, w, lr = P["sizes"], P["n"], P["w"], P["learningRate"]
    d = sizes[0]
    f32 = dict(dtype=torch.float32, device=dev)
    x = torch.tensor(P["x"], **f32).reshape(n, d)
    y = torch.tensor(P["y"], **f32).reshape(n, 1)
    dydx = torch.tensor(P["dydx"], **f32).reshape(n, d)
    L = len(sizes) - 1

    def initial():
        ws = [torch.tensor(P["weights"][l], **f32).reshape(sizes[l], sizes[l + 1]) for l in range(L)]
        bs = [torch.tensor(P["biases"][l], **f32) for l in range(L)]
        return ws, bs

    def mlp(ws, bs, xx):
        h = xx
        for l in range(L):
            z = h @ ws[l] + bs[l]
            h = torch.tanh(z) if l < L - 1 else z
        return h

    # --- autograd: double backward -----------------------------------------------------
    def autograd_loss(ws, bs):
        xx = x.detach().requires_grad_(True)
        yhat = mlp(ws, bs, xx)
        (dx,) = torch.autograd.grad(yhat.sum(), xx, create_graph=True)
        return (1 - w) * ((yhat - y) ** 2).mean() + w * ((dx - dydx) ** 2).mean()

    def autograd_grads():
        ws, bs = initial()
        params = [t.requires_grad_(True) for t in ws + bs]
        loss = autograd_loss(params[:L], params[L:])
        gs = torch.autograd.grad(loss, params)
        return loss.item(), list(gs[:L]), list(gs[L:])

    def autograd_trainer():
        ws, bs = initial()
        params = [t.requires_grad_(True) for t in ws + bs]
        opt = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = autograd_loss(params[:L], params[L:])
            loss.backward()
            opt.step()
            return loss

        return step

    # --- torch.func: functional reverse over reverse --------------------------------------
    def func_loss(params):
        ws, bs = params[:L], params[L:]
        single = lambda xi: mlp(ws, bs, xi.unsqueeze(0)).squeeze()
        dx = func.vmap(func.grad(single))(x)
        yhat = mlp(ws, bs, x)
        return (1 - w) * ((yhat - y) ** 2).mean() + w * ((dx - dydx) ** 2).mean()

    gv = func.grad_and_value(func_loss)

    def func_grads():
        ws, bs = initial()
        gs, loss = gv(ws + bs)
        return loss.item(), list(gs[:L]), list(gs[L:])

    def func_trainer():
        ws, bs = initial()
        params = ws + bs
        m = [torch.zeros_like(p) for p in params]
        v = [torch.zeros_like(p) for p in params]
        state = {"t": 0, "params": params}
        b1, b2, eps = 0.9, 0.999, 1e-8

        def step():
            state["t"] += 1
            t = state["t"]
            gs, loss = gv(state["params"])
            new = []
            with torch.no_grad():
                for i, (p, g) in enumerate(zip(state["params"], gs)):
                    m[i].mul_(b1).add_(g, alpha=1 - b1)
                    v[i].mul_(b2).addcmul_(g, g, value=1 - b2)
                    mh = m[i] / (1 - b1**t)
                    vh = v[i] / (1 - b2**t)
                    new.append(p - lr * mh / (vh.sqrt() + eps))
            state["params"] = new
            return loss

        return step

    ref = P["reference"]
    ours = P["ours"]
    tol = P.get("tolerance", 1e-3)

    def check(name, grads_fn):
        loss, gw, gb = grads_fn()
        def err(against):
            t = lambda values, like: torch.tensor(values, dtype=torch.float64, device=dev).reshape(like.shape)
            return max([rel_err(gw[l], t(against["weights"][l], gw[l])) for l in range(L)] + [rel_err(gb[l], t(against["biases"][l], gb[l])) for l in range(L)])

        e_ref, e_ours = err(ref), err(ours)
        loss_err = abs(loss - ref["loss"]) / abs(ref["loss"])
        ok = e_ref <= tol and loss_err <= tol
        print(f"[torch] {name}: loss {loss:.6f} (reference {ref['loss']:.6f}), gradient rel. error {e_ref:.1e} vs float64, {e_ours:.1e} vs sobolev-webgpu: {'ok' if ok else 'WRONG'}")
        return {"loss": loss, "relErrReference": e_ref, "relErrOurs": e_ours, "lossRelErr": loss_err, "ok": ok}

    sync = (lambda: torch.cuda.synchronize()) if dev.type == "cuda" else (lambda: None)

    def time_steps(step, quick):
        for _ in range(3):
            step()
        sync()
        t0 = time.perf_counter()
        for _ in range(5):
            step()
        sync()
        est = (time.perf_counter() - t0) / 5
        steps = max(3, min(2000, round((0.5 if quick else 1.5) / max(est, 1e-6))))
        blocks = []
        for _ in range(3 if quick else 7):
            t0 = time.perf_counter()
            for _ in range(steps):
                loss = step()
            sync()
            blocks.append(1000 * (time.perf_counter() - t0) / steps)
        return statistics.median(blocks), blocks, steps, loss.item()

    out = {"device": f"{dev.type} ({torch.cuda.get_device_name(0)})" if dev.type == "cuda" else "cpu", "torch": torch.__version__, "formulations": []}
    for name, grads_fn, trainer in (
        ("autograd.grad(create_graph=True) + backward", autograd_grads, autograd_trainer),
        ("torch.func grad_and_value(vmap(grad))", func_grads, func_trainer),
    ):
        row = {"name": name, **check(name, grads_fn)}
        ms, blocks, steps, last = time_steps(trainer(), P.get("quick", False))
        row.update({"msPerStep": ms, "blocks": blocks, "stepsPerBlock": steps, "lastLoss": last})
        print(f"[torch] {name}: {ms:.3f} ms/step (median of {len(blocks)} blocks of {steps})")
        out["formulations"].append(row)
    json.dump(out, open(a.out, "w"), indent=2)
    sys.exit(0 if all(r["ok"] for r in out["formulations"]) else 1)


if __name__ == "__main__":
    main()
