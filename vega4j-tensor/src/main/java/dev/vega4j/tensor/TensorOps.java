package dev.vega4j.tensor;

/**
 * Every tensor operation the Stable Diffusion family needs, as one interface with swappable implementations
 * (the Jlama idea): {@link ReferenceOps} is plain, obviously-correct Java used by tests as the oracle; the Vector API
 * implementation is the fast default. Operations never modify their inputs unless the name says {@code InPlace}.
 *
 * <p>Layouts: feature maps NCHW; sequences [B, T, C] (any leading dims for the per-row ops); weights in PyTorch layout
 * (Linear [out, in], Conv2d [out, in, kh, kw]). A {@code null} bias means no bias.
 */
public interface TensorOps {

    /** {@code y = x · Wᵀ + b} over the last dimension: x [..., K], weight [N, K], bias [N] or null; y [..., N]. */
    Tensor linear(Tensor x, Tensor weight, Tensor bias);

    /** Batched matrix product: a [B, M, K] · b [B, K, N] → [B, M, N] (b may have B = 1 and is then broadcast). */
    Tensor matmul(Tensor a, Tensor b);

    /** 2-D convolution, x [N, C, H, W], weight [O, C, kh, kw], square stride and zero padding; bias [O] or null. */
    Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding);

    /**
     * GroupNorm over NCHW (or [N, C] / [N, C, L]: every dim after the channel one is spatial), statistics in float
     * with biased variance like torch, then per-channel affine; optionally followed by SiLU (fused).
     */
    Tensor groupNorm(Tensor x, int groups, Tensor gamma, Tensor beta, float eps, boolean silu);

    /** LayerNorm over the last dimension; gamma/beta [C] (null = identity affine). */
    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);

    /** Softmax over the last dimension. */
    Tensor softmax(Tensor x);

    /**
     * Multi-head scaled-dot-product attention: q [B, Tq, H·d], k and v [B, Tk, H·d] → [B, Tq, H·d];
     * {@code softmax(scale · q kᵀ) v} per head; {@code causal} masks keys after the query position (CLIP).
     * Implementations may tile it flash-style; memory must stay O(T·d).
     */
    Tensor attention(Tensor q, Tensor k, Tensor v, int heads, float scale, boolean causal);

    Tensor silu(Tensor x);

    /** Exact GELU, {@code 0.5 x (1 + erf(x / √2))}. */
    Tensor gelu(Tensor x);

    /** GELU with the tanh approximation ("gelu_pytorch_tanh"). */
    Tensor geluTanh(Tensor x);

    /** CLIP's {@code x · sigmoid(1.702 x)}. */
    Tensor quickGelu(Tensor x);

    /** diffusers GEGLU after its projection: x [..., 2D] → {@code x[..., :D] * gelu(x[..., D:])}. */
    Tensor geglu(Tensor x);

    /** Nearest-neighbour resize of NCHW to (outH, outW), torch's {@code floor(dst · in / out)} source index. */
    Tensor upsampleNearest(Tensor x, int outH, int outW);

    /** Concatenation of two NCHW tensors along channels. */
    Tensor concatChannels(Tensor a, Tensor b);

    /** Elementwise sum of two tensors of the same shape. */
    Tensor add(Tensor a, Tensor b);

    /** {@code a += b} elementwise (same element count); returns a. */
    Tensor addInPlace(Tensor a, Tensor b);

    /** x [N, C, ...] + b [N, C] broadcast over the trailing (spatial) dims: the ResNet time-embedding add. */
    Tensor addChannelBias(Tensor x, Tensor b);

    /** Elementwise product of two tensors of the same shape. */
    Tensor mul(Tensor a, Tensor b);

    Tensor scale(Tensor x, float s);

    /** NCHW → [N, H·W, C]. */
    Tensor nchwToNlc(Tensor x);

    /** [N, H·W, C] → NCHW. */
    Tensor nlcToNchw(Tensor x, int h, int w);

    /**
     * Sinusoidal timestep embedding exactly as diffusers' {@code get_timestep_embedding} computes it in float32:
     * {@code exponent = -ln(maxPeriod) · i / (half - downscaleFreqShift)}, {@code emb = scale · t · exp(exponent)},
     * {@code [sin, cos]} (or {@code [cos, sin]} when flipSinToCos), zero-padded when dim is odd. Result [N, dim].
     */
    Tensor timestepEmbedding(float[] timesteps, int dim, boolean flipSinToCos, float downscaleFreqShift, float scale,
            int maxPeriod);

    /**
     * Tells the implementation that {@code weight}'s values were changed in place (a LoRA fused or unfused), so any
     * prepared form of it (packed panels) must not be reused. No-op for implementations that keep none.
     */
    default void weightChanged(Tensor weight) {}
}
