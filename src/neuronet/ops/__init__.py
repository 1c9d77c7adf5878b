"""The differentiable operations on tensors, one `Function` each, grouped by topic.

elementwise: arithmetic, exp/log/sqrt/abs, tanh/sigmoid/relu, clamp, maximum/minimum, where
linalg:      matmul
reduce:      sum, mean, max/min, var/std, logsumexp, argmax/argmin
shape:       reshape, flatten, transpose, permute, squeeze/unsqueeze, expand, cat, stack, split, pad
indexing:    __getitem__ (slices, integer arrays, boolean masks), gather
"""
