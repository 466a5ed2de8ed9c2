package dev.vega4j.spark;

import dev.vega4j.hub.DownloadListener;
import dev.vega4j.hub.HubCache;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import java.util.function.Function;

/**
 * The one pipeline of this JVM (a Spark executor, or the driver in local mode): loaded on the first row that needs
 * it, reused by every later task and partition, replaced only when a job asks for another model. Generations run one
 * at a time: a pipeline is not thread-safe and already uses every engine thread ({@code vega.threads}), so a second
 * task slot on the same executor would only wait here (hence spark.task.cpus = spark.executor.cores).
 */
public final class ExecutorPipeline {
    private static Pipeline pipeline;
    private static String loadedModel;

    private ExecutorPipeline() {}

    /** Runs {@code work} with the pipeline of {@code model}, loading it (a Hub id into this node's cache) if needed. */
    public static synchronized <T> T with(String model, Function<Pipeline, T> work) {
        if (pipeline == null || !model.equals(loadedModel)) {
            if (pipeline != null) {
                pipeline.close();
                pipeline = null;
            }
            // the same loading as vega generate's, so the model name in the image metadata is the same too
            pipeline = Pipelines.load(HubCache.fromEnvironment().resolve(model, DownloadListener.NONE).toString());
            loadedModel = model;
        }
        return work.apply(pipeline);
    }
}
