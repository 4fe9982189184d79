"""
The main derivation's RNN (eqs 1.1-1.7) as a PyTorch user writes it, nn.Embedding -> nn.RNN(tanh, batch_first) ->
nn.Linear with F.cross_entropy, and its gradients by loss.backward() (eqs 4.4-4.9): the peer `npm run bench` times
ours against, in float64 or float32 (argv[1]), on one thread, alternating with ours round by round. An evaluation
is what a training step does before the optimizer: clear the gradients, forward, backward.

It speaks bench/peer_protocol.py's line protocol.
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from peer_protocol import serve

torch.set_num_threads(1)
DTYPE = {"float64": torch.float64, "float32": torch.float32}[sys.argv[1]]


class Model:
    def __init__(self, msg):
        t = lambda k: torch.tensor(msg[k], dtype=DTYPE)
        E, W = t("E"), t("W")
        vocab, d_model = E.shape
        hidden = W.shape[0]
        self.embedding = nn.Embedding(vocab, d_model, dtype=DTYPE)
        self.rnn = nn.RNN(d_model, hidden, nonlinearity="tanh", batch_first=True, dtype=DTYPE)
        self.linear = nn.Linear(hidden, vocab, dtype=DTYPE)
        # [out, in] weights as the derivation stores them; nn.RNN's two biases sum to b.
        with torch.no_grad():
            for param, value in ((self.embedding.weight, E), (self.rnn.weight_ih_l0, t("U")), (self.rnn.weight_hh_l0, W),
                                 (self.rnn.bias_ih_l0, t("b")), (self.rnn.bias_hh_l0, torch.zeros(hidden, dtype=DTYPE)),
                                 (self.linear.weight, t("V")), (self.linear.bias, t("c"))):
                param.copy_(value)
        self.params = [self.embedding.weight, *self.rnn.parameters(), *self.linear.parameters()]
        self.tokens = torch.tensor([msg["inputs"]])
        self.targets = torch.tensor(msg["targets"])
        self.h0 = t("h0").view(1, 1, hidden)

    def run(self):
        for p in self.params:
            p.grad = None
        out, _ = self.rnn(self.embedding(self.tokens), self.h0)
        loss = F.cross_entropy(self.linear(out)[0], self.targets)  # the mean over the τ steps: eq 1.2
        loss.backward()
        return loss

    def grads(self):
        loss = self.run()
        g = lambda p: p.grad.double().tolist()
        return {"loss": loss.item(), "E": g(self.embedding.weight), "U": g(self.rnn.weight_ih_l0),
                "W": g(self.rnn.weight_hh_l0), "b": g(self.rnn.bias_ih_l0), "V": g(self.linear.weight), "c": g(self.linear.bias)}


if __name__ == "__main__":
    serve(Model, Model.grads, Model.run)
