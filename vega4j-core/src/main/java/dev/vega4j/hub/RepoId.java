package dev.vega4j.hub;

import java.util.regex.Pattern;

/**
 * A Hub model repository id ({@code org/name}, or a bare legacy {@code name}) and the folder huggingface_hub gives it in
 * the cache ({@code models--org--name}, huggingface_hub {@code file_download.repo_folder_name}).
 */
public record RepoId(String id) {
    // huggingface_hub utils/_validators.py REPO_ID_REGEX: one optional namespace, then the name; no "--" or "..".
    private static final Pattern VALID = Pattern.compile("^(\\b[\\w\\-.]+\\b/)?\\b[\\w\\-.]{1,96}\\b$");

    public RepoId {
        if (!isValid(id)) {
            throw new HubException(HubException.Reason.INVALID,
                    "'" + id + "' is neither a local model folder/.safetensors file nor a Hugging Face repo id "
                            + "(like segmind/Segmind-Vega)");
        }
    }

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches() && !id.contains("--") && !id.contains("..")
                && !id.endsWith(".git");
    }

    /** {@code models--org--name}. */
    public String folderName() {
        return "models--" + id.replace("/", "--");
    }

    @Override
    public String toString() {
        return id;
    }
}
