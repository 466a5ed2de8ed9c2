package dev.vega4j.io.checkpoint;

/** A tensor name on the other side of a mapping and how the tensor changes on the way. */
public record Mapped(String name, Transform transform) {
    static Mapped same(String name) {
        return new Mapped(name, Transform.IDENTITY);
    }
}
