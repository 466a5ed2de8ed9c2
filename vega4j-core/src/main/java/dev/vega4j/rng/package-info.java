/**
 * Random numbers identical to PyTorch 1.13's CPU generator ({@link dev.vega4j.rng.TorchGenerator}), so a seed gives
 * the same initial noise as diffusers with {@code torch.Generator("cpu").manual_seed(seed)}; {@link dev.vega4j.rng.Seeds}
 * parses user seeds (any 64-bit value, -1 = random, reported back).
 */
package dev.vega4j.rng;
