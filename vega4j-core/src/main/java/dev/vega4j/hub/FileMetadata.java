package dev.vega4j.hub;

import java.net.URI;

/**
 * What a {@code HEAD .../resolve/<rev>/<file>} says about a file (huggingface_hub {@code HfFileMetadata}).
 *
 * @param etag     the blob name in the cache: the sha256 of LFS files, the git blob sha1 of the others (quotes removed)
 * @param commit   the commit the revision resolved to ({@code X-Repo-Commit})
 * @param size     bytes, or -1 when the server did not say
 * @param location where to GET the bytes (the CDN URL for LFS files)
 */
public record FileMetadata(String etag, String commit, long size, URI location) {}
