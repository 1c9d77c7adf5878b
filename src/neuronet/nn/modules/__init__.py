"""The layers, one file per topic: module (the `Module` base), container (Sequential,
ModuleList, ModuleDict), linear (Linear, Identity), flatten, dropout, norm (BatchNorm1d,
LayerNorm), activation and loss; conv (Conv1d/2d, ConvTranspose1d/2d), pooling, upsampling,
dropout2d, norm also has BatchNorm2d and LocalResponseNorm. `neuronet.nn` exports them all."""
