package dev.clipengine.search;

import dev.clipengine.BadInputException;
import dev.clipengine.io.IntegerTensor;
import dev.clipengine.io.SafeTensors;
import dev.clipengine.model.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An image index (docs/search.md): the unit-length embeddings of images, their paths, and each
 * file's size and modification time when it was embedded, in a safetensors file. The paths are
 * one {@code U8} tensor of UTF-8 text with an {@code I64} tensor of offsets into it, not a list in
 * the header, which readers cap at 100 MB: a million paths fit. Rows are in path order.
 */
public final class IndexFile {

    public static final String FORMAT = "clip-engine-image-index";
    public static final String VERSION = "1";

    static final String EMBEDDINGS = "embeddings";
    static final String PATH_BYTES = "path_bytes";
    static final String PATH_OFFSETS = "path_offsets";
    static final String FILE_SIZES = "file_sizes";
    static final String FILE_MODIFIED = "file_modified_ns";

    private final ModelIdentity model;
    private final String id;
    private final int dim;
    private final List<String> paths;
    private final long[] sizes;
    private final long[] modifiedNanos;
    private final float[] embeddings;

    /**
     * @param paths         absolute paths, one per row, in path order
     * @param sizes         each file's size in bytes when it was embedded
     * @param modifiedNanos each file's modification time then, in nanoseconds since 1970
     * @param embeddings    {@code [paths, dim]}, rows of length 1
     */
    public IndexFile(ModelIdentity model, int dim, List<String> paths, long[] sizes, long[] modifiedNanos,
            float[] embeddings) {
        this(model, UUID.randomUUID().toString(), dim, paths, sizes, modifiedNanos, embeddings);
    }

    private IndexFile(ModelIdentity model, String id, int dim, List<String> paths, long[] sizes, long[] modifiedNanos,
            float[] embeddings) {
        if (dim < 1 || sizes.length != paths.size() || modifiedNanos.length != paths.size()
                || embeddings.length != (long) paths.size() * dim) {
            throw new IllegalArgumentException("an index needs one size, time and embedding of " + dim
                    + " values per path");
        }
        this.model = model;
        this.id = id;
        this.dim = dim;
        this.paths = List.copyOf(paths);
        this.sizes = sizes;
        this.modifiedNanos = modifiedNanos;
        this.embeddings = embeddings;
    }

    public ModelIdentity model() {
        return model;
    }

    /**
     * A random name each written index gets, so that a graph stored beside it is known to be its
     * own and not that of an earlier version of the file.
     */
    public String id() {
        return id;
    }

    public int dim() {
        return dim;
    }

    public int size() {
        return paths.size();
    }

    public String path(int row) {
        return paths.get(row);
    }

    public List<String> paths() {
        return paths;
    }

    public long fileSize(int row) {
        return sizes[row];
    }

    public long modifiedNanos(int row) {
        return modifiedNanos[row];
    }

    /** Every row's embedding, {@code [size, dim]}; shared, not copied: do not change it. */
    public float[] embeddings() {
        return embeddings;
    }

    /** Writes the index whole, or leaves {@code file} as it was and throws. */
    public void write(Path file) throws IOException {
        List<byte[]> encoded = new ArrayList<>(paths.size());
        long total = 0;
        for (String path : paths) {
            byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
            encoded.add(bytes);
            total += bytes.length;
        }
        if (total > Integer.MAX_VALUE) {
            throw new BadInputException(file + ": the paths take " + total + " bytes, more than an index holds ("
                    + Integer.MAX_VALUE + ")");
        }
        byte[] text = new byte[(int) total];
        long[] offsets = new long[paths.size() + 1];
        int at = 0;
        for (int i = 0; i < encoded.size(); i++) {
            System.arraycopy(encoded.get(i), 0, text, at, encoded.get(i).length);
            at += encoded.get(i).length;
            offsets[i + 1] = at;
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("version", VERSION);
        metadata.put("id", id);
        metadata.put("model", model.source());
        metadata.put("model_sha256", model.sha256());
        metadata.put("images", Integer.toString(paths.size()));
        SafeTensors.write(file, metadata,
                List.of(new Tensor(EMBEDDINGS, new int[] {paths.size(), dim}, embeddings)),
                List.of(new IntegerTensor.U8(PATH_BYTES, text), new IntegerTensor.I64(PATH_OFFSETS, offsets),
                        new IntegerTensor.I64(FILE_SIZES, sizes), new IntegerTensor.I64(FILE_MODIFIED, modifiedNanos)));
    }

    /**
     * Reads an index, checking its layout and its data's checksum.
     *
     * @throws BadInputException for anything wrong with it, in one line that starts with its path
     */
    public static IndexFile read(Path file) {
        SafeTensors.Contents contents = SafeTensors.read(file);
        Map<String, String> metadata = contents.metadata();
        if (!FORMAT.equals(metadata.get("format"))) {
            throw bad(file, "is not an image index (its format is " + metadata.getOrDefault("format", "not given")
                    + "; clip-engine index writes " + FORMAT + ")");
        }
        if (!VERSION.equals(metadata.get("version"))) {
            throw bad(file, "is an image index of version " + metadata.get("version") + "; this clip-engine reads version "
                    + VERSION);
        }
        String id = required(file, metadata, "id");
        String modelSha256 = required(file, metadata, "model_sha256");
        if (!modelSha256.matches("[0-9a-f]{64}")) {
            throw bad(file, "has a model_sha256 that is not 64 hex digits");
        }
        ModelIdentity model = new ModelIdentity(required(file, metadata, "model"), modelSha256);
        Tensor embeddings = contents.tensors().get(EMBEDDINGS);
        if (embeddings == null || embeddings.rank() != 2 || embeddings.dim(1) < 1) {
            throw bad(file, "has no " + EMBEDDINGS + " tensor of shape [images, dim]");
        }
        int count = embeddings.dim(0);
        byte[] text = integers(file, contents, PATH_BYTES, IntegerTensor.U8.class, -1).values();
        long[] offsets = integers(file, contents, PATH_OFFSETS, IntegerTensor.I64.class, count + 1).values();
        long[] sizes = integers(file, contents, FILE_SIZES, IntegerTensor.I64.class, count).values();
        long[] modified = integers(file, contents, FILE_MODIFIED, IntegerTensor.I64.class, count).values();
        return new IndexFile(model, id, embeddings.dim(1), paths(file, text, offsets), sizes, modified,
                embeddings.data());
    }

    private static List<String> paths(Path file, byte[] text, long[] offsets) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        if (offsets[0] != 0 || offsets[offsets.length - 1] != text.length) {
            throw bad(file, PATH_OFFSETS + " must run from 0 to the length of " + PATH_BYTES + " (" + text.length + ")");
        }
        List<String> paths = new ArrayList<>(offsets.length - 1);
        for (int i = 0; i + 1 < offsets.length; i++) {
            if (offsets[i + 1] < offsets[i]) {
                throw bad(file, PATH_OFFSETS + " decrease at row " + i);
            }
            try {
                paths.add(decoder.decode(ByteBuffer.wrap(text, (int) offsets[i], (int) (offsets[i + 1] - offsets[i])))
                        .toString());
            } catch (CharacterCodingException e) {
                throw bad(file, "the path of row " + i + " is not valid UTF-8");
            }
        }
        return paths;
    }

    private static <T extends IntegerTensor> T integers(Path file, SafeTensors.Contents contents, String name,
            Class<T> type, int length) {
        IntegerTensor tensor = contents.integers().get(name);
        if (!type.isInstance(tensor) || tensor.shape().length != 1 || (length >= 0 && tensor.size() != length)) {
            String dtype = type == IntegerTensor.U8.class ? "U8" : "I64";
            throw bad(file, "has no " + dtype + " tensor " + name + (length >= 0 ? " of shape [" + length + "]" : "")
                    + " (as its " + EMBEDDINGS + " need)");
        }
        return type.cast(tensor);
    }

    private static String required(Path file, Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null || value.isBlank()) {
            throw bad(file, "has no '" + key + "' in its metadata");
        }
        return value;
    }

    private static BadInputException bad(Path file, String problem) {
        return new BadInputException(file + ": " + problem);
    }
}
