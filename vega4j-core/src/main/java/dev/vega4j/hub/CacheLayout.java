package dev.vega4j.hub;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One repo's folder in the huggingface_hub cache ({@code huggingface_hub/file_download.py}, "cache-system" docs):
 * <pre>
 * models--org--name/
 *   blobs/&lt;etag&gt;                  file contents, named by ETag (sha256 for LFS files, git sha1 otherwise)
 *   blobs/&lt;etag&gt;.incomplete       a download in progress (resumed with a Range request)
 *   refs/&lt;revision&gt;               the commit a branch/tag last resolved to (no trailing newline)
 *   snapshots/&lt;commit&gt;/&lt;path&gt;    relative symlinks to ../../blobs/&lt;etag&gt; (one more ../ per sub-folder)
 * </pre>
 * Locks live outside the repo folder, where huggingface_hub puts them: {@code <cache>/.locks/models--org--name/}.
 */
public record CacheLayout(Path cacheDir, RepoId repo) {
    private static final Pattern COMMIT = Pattern.compile("^[0-9a-f]{40}$");

    public Path repoDir() {
        return cacheDir.resolve(repo.folderName());
    }

    public Path blob(String etag) {
        return repoDir().resolve("blobs").resolve(etag);
    }

    public Path incomplete(String etag) {
        return repoDir().resolve("blobs").resolve(etag + ".incomplete");
    }

    public Path lock(String etag) {
        return cacheDir.resolve(".locks").resolve(repo.folderName()).resolve(etag + ".lock");
    }

    public Path snapshot(String commit) {
        return repoDir().resolve("snapshots").resolve(commit);
    }

    public Path pointer(String commit, String file) {
        return snapshot(commit).resolve(file);
    }

    public Path ref(String revision) {
        return repoDir().resolve("refs").resolve(revision);
    }

    public static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    /** The commit a revision points to in the cache: itself when it is a commit hash, else {@code refs/<revision>}. */
    public Optional<String> cachedCommit(String revision) {
        if (isCommit(revision)) {
            return Optional.of(revision);
        }
        Path ref = ref(revision);
        try {
            if (Files.isRegularFile(ref)) {
                String c = Files.readString(ref).strip();
                return c.isEmpty() ? Optional.empty() : Optional.of(c);
            }
        } catch (IOException e) {
            // unreadable ref = not cached
        }
        return Optional.empty();
    }

    public void writeRef(String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return; // huggingface_hub writes no ref for a revision that is already a commit
        }
        Path ref = ref(revision);
        Files.createDirectories(ref.getParent());
        Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
        try {
            Files.writeString(tmp, commit);
            Files.move(tmp, ref, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Points {@code snapshots/<commit>/<file>} at the blob with a relative symlink, like huggingface_hub
     * {@code _create_symlink}; where symlinks are not allowed (Windows without developer mode) the blob is copied.
     */
    public void link(String commit, String file, String etag) throws IOException {
        Path pointer = pointer(commit, file);
        Path blob = blob(etag);
        Files.createDirectories(pointer.getParent());
        Files.deleteIfExists(pointer);
        Path relative = pointer.getParent().relativize(blob);
        try {
            Files.createSymbolicLink(pointer, relative);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(blob, pointer, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
