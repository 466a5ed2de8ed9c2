package dev.vega4j.tokenizer;

/**
 * A token that is matched in the raw text before any normalisation and never goes through BPE (transformers
 * {@code AddedToken}): the special tokens, and for SDXL's {@code tokenizer_2} also its pad token {@code "!"}.
 * {@code lstrip}/{@code rstrip} eat whitespace on that side of a match.
 */
public record AddedToken(String content, int id, boolean lstrip, boolean rstrip, boolean special) {}
