package dev.vega4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.Weights;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.tokenizer.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;

/** A diffusers pipeline folder as a {@link PipelineSource}. */
public final class FolderSource implements PipelineSource {
    private final PipelineFolder folder;
    private final ModelIndex index;
    private final List<SafetensorsWeights> opened = new ArrayList<>();

    public FolderSource(PipelineFolder folder) {
        this.folder = folder;
        this.index = ModelIndex.of(folder);
    }

    public PipelineFolder folder() {
        return folder;
    }

    @Override
    public String name() {
        return PipelineLoader.modelName(folder.dir());
    }

    @Override
    public Pipeline.Family family() {
        return index.family();
    }

    @Override
    public boolean forceZerosForEmptyPrompt() {
        return index.forceZerosForEmptyPrompt();
    }

    @Override
    public JsonNode config(String component) {
        return folder.config(component);
    }

    @Override
    public String configSource(String component) {
        return folder.configFile(component).toString();
    }

    @Override
    public synchronized Weights weights(String component) {
        SafetensorsWeights w = folder.openWeights(component);
        opened.add(w);
        return w;
    }

    @Override
    public ClipTokenizer tokenizer(String name) {
        return folder.tokenizer(name);
    }

    @Override
    public synchronized void close() {
        opened.forEach(SafetensorsWeights::close);
        opened.clear();
    }
}
