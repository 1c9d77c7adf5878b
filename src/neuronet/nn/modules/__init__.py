"""The layers, one file per topic: module (the `Module` base), container (Sequential,
ModuleList, ModuleDict), linear (Linear, Identity), flatten, dropout, norm (BatchNorm1d,
LayerNorm), activation and loss. `neuronet.nn` exports them all."""
