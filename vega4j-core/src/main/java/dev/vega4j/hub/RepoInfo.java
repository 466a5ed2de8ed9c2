package dev.vega4j.hub;

import java.util.List;

/** A repo at one revision: its commit and every file in it ({@code siblings[].rfilename} of the Hub API). */
public record RepoInfo(String sha, List<String> files) {
    public RepoInfo {
        files = List.copyOf(files);
    }
}
