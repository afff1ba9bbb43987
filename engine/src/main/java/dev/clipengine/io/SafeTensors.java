package dev.clipengine.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clipengine.BadInputException;
import dev.clipengine.model.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes the safetensors format (docs/formats.md) for float tensors, and for the integer
 * tensors ({@link IntegerTensor}) that carry what is not a weight: an 8-byte
 * little-endian header length, a JSON header padded with spaces to a multiple of 8 bytes, then the
 * tensors' little-endian row-major data back to back. The files are those of
 * {@code safetensors.torch.save_file} and {@code load_file}; which tensors a model file must hold is
 * the model layer's business, not this class's.
 */
public final class SafeTensors {

    /** The metadata key holding the hex SHA-256 of the data section. */
    public static final String SHA256_KEY = "sha256";

    /** Larger headers are refused, as the safetensors library does, so a crafted file cannot exhaust memory. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final String F32 = "F32";
    private static final int HEADER_LENGTH_BYTES = Long.BYTES;
    private static final int HEADER_ALIGNMENT = 8;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final HexFormat HEX = HexFormat.of();

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    // the header limit bounds every string; Jackson's smaller default would refuse a large vocabulary
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength((int) MAX_HEADER_BYTES)
                            .maxNameLength((int) MAX_HEADER_BYTES)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SafeTensors() {}

    /**
     * What a file holds.
     *
     * @param metadata the {@code __metadata__} strings in header order, {@code sha256} included when
     *     the file has one (it was checked against the data before this was returned)
     * @param tensors the float tensors by name, in header order
     * @param integers the {@code U8} and {@code I64} tensors by name, in header order
     */
    public record Contents(Map<String, String> metadata, Map<String, Tensor> tensors,
            Map<String, IntegerTensor> integers) {

        /** Contents with float tensors only. */
        public Contents(Map<String, String> metadata, Map<String, Tensor> tensors) {
            this(metadata, tensors, Map.of());
        }
    }

    /**
     * Writes {@code tensors}, in list order, and {@code metadata} plus a {@code sha256} of the data
     * (any {@code sha256} given in {@code metadata} is replaced). The target appears whole or not at
     * all ({@link AtomicFiles}): an existing target is replaced whole or left as it was.
     *
     * @throws IllegalArgumentException when two tensors share a name or a name is {@code __metadata__}
     */
    public static void write(Path file, Map<String, String> metadata, List<Tensor> tensors) throws IOException {
        write(file, metadata, tensors, List.of());
    }

    /** As {@link #write(Path, Map, List)}, with integer tensors after the float ones. */
    public static void write(Path file, Map<String, String> metadata, List<Tensor> tensors,
            List<IntegerTensor> integers) throws IOException {
        AtomicFiles.write(file, temporary -> {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(channel, metadata, tensors, integers);
            }
        });
    }

    /**
     * Reads a whole file, checking its layout and, when it has one, its {@code sha256}. Files of
     * other programs, without a {@code sha256}, load as they are.
     *
     * @throws BadInputException on any problem with the file, in one line that starts with its path
     */
    public static Contents read(Path file) {
        if (Files.isDirectory(file)) {
            throw bad(file, "is a folder, not a safetensors file");
        }
        if (RegularFiles.isSpecial(file)) {
            throw bad(file, RegularFiles.NOT_REGULAR);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readFrom(file, channel);
        } catch (NoSuchFileException e) {
            throw bad(file, "no such file");
        } catch (AccessDeniedException e) {
            throw bad(file, "cannot be read: permission denied");
        } catch (IOException e) {
            throw bad(file, "cannot be read: " + oneLine(e.getMessage()));
        }
    }

    // ---- writing

    private static void writeTo(FileChannel channel, Map<String, String> metadata, List<Tensor> tensors,
            List<IntegerTensor> integers) throws IOException {
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        ObjectNode metadataNode = header.putObject(METADATA_KEY);
        metadata.forEach((key, value) -> metadataNode.put(key, Objects.requireNonNull(value, key)));
        // A hex SHA-256 always has 64 digits, so a placeholder of that length fixes the header's size
        // before the data is hashed, and the data is hashed in the same pass that writes it.
        metadataNode.put(SHA256_KEY, "0".repeat(64));
        describeTensors(header, tensors, integers);

        byte[] provisional = paddedJson(header);
        ByteBuffer prefix = ByteBuffer.allocate(HEADER_LENGTH_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(provisional.length).flip();
        writeFully(channel, prefix, 0);
        long dataStart = HEADER_LENGTH_BYTES + (long) provisional.length;
        String sha256 = writeData(channel, dataStart, tensors, integers);

        metadataNode.put(SHA256_KEY, sha256);
        byte[] complete = paddedJson(header);
        if (complete.length != provisional.length) {
            throw new IllegalStateException("the header changed size when its sha256 was filled in");
        }
        writeFully(channel, ByteBuffer.wrap(complete), HEADER_LENGTH_BYTES);
    }

    private static void describeTensors(ObjectNode header, List<Tensor> tensors, List<IntegerTensor> integers) {
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (Tensor tensor : tensors) {
            offset = describe(header, names, tensor.name(), F32, tensor.shape(), offset,
                    (long) tensor.size() * Float.BYTES);
        }
        for (IntegerTensor tensor : integers) {
            offset = describe(header, names, tensor.name(), tensor.dtype(), tensor.shape(), offset,
                    (long) tensor.size() * DType.valueOf(tensor.dtype()).bytes);
        }
    }

    /** Adds one tensor's header entry at {@code offset}; returns the offset after its data. */
    private static long describe(ObjectNode header, Set<String> names, String name, String dtype, int[] dims,
            long offset, long bytes) {
        if (name.equals(METADATA_KEY) || !names.add(name)) {
            throw new IllegalArgumentException("cannot write a second tensor named " + name);
        }
        ObjectNode entry = header.putObject(name);
        entry.put("dtype", dtype);
        ArrayNode shape = entry.putArray("shape");
        for (int dim : dims) {
            shape.add(dim);
        }
        entry.putArray("data_offsets").add(offset).add(offset + bytes);
        return offset + bytes;
    }

    private static byte[] paddedJson(ObjectNode header) throws JsonProcessingException {
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = Math.ceilDiv(json.length, HEADER_ALIGNMENT) * HEADER_ALIGNMENT;
        byte[] bytes = Arrays.copyOf(json, padded);
        Arrays.fill(bytes, json.length, padded, (byte) ' ');
        return bytes;
    }

    /** Writes the tensors' data from {@code position} on and returns its hex SHA-256. */
    private static String writeData(FileChannel channel, long position, List<Tensor> tensors,
            List<IntegerTensor> integers) throws IOException {
        MessageDigest digest = sha256();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = chunk.asFloatBuffer();
        LongBuffer longs = chunk.asLongBuffer();
        for (Tensor tensor : tensors) {
            float[] data = tensor.data();
            for (int from = 0; from < data.length; ) {
                int count = Math.min(floats.capacity(), data.length - from);
                floats.clear();
                floats.put(data, from, count);
                chunk.clear().limit(count * Float.BYTES);
                position += hashAndWrite(channel, chunk, position, digest);
                from += count;
            }
        }
        for (IntegerTensor tensor : integers) {
            switch (tensor) {
                case IntegerTensor.U8 bytes -> {
                    ByteBuffer data = ByteBuffer.wrap(bytes.values());
                    position += hashAndWrite(channel, data, position, digest);
                }
                case IntegerTensor.I64 wide -> {
                    long[] data = wide.values();
                    for (int from = 0; from < data.length; ) {
                        int count = Math.min(longs.capacity(), data.length - from);
                        longs.clear();
                        longs.put(data, from, count);
                        chunk.clear().limit(count * Long.BYTES);
                        position += hashAndWrite(channel, chunk, position, digest);
                        from += count;
                    }
                }
            }
        }
        return HEX.formatHex(digest.digest());
    }

    private static int hashAndWrite(FileChannel channel, ByteBuffer bytes, long position, MessageDigest digest)
            throws IOException {
        digest.update(bytes.duplicate());
        return writeFully(channel, bytes, position);
    }

    private static int writeFully(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
        int length = bytes.remaining();
        for (long at = position; bytes.hasRemaining(); ) {
            at += channel.write(bytes, at);
        }
        return length;
    }

    // ---- reading

    /** A tensor's header entry, checked against itself but not yet against its neighbours. */
    /**
     * The element types read: floats of 32 bits as they are, of 16 (IEEE half, and bfloat16)
     * widened to 32 exactly; 64-bit integers and bytes ({@link IntegerTensor}: buffers such as
     * Hugging Face's {@code position_ids}, never weights) are read as they are.
     */
    private enum DType {
        F32(4), F16(2), BF16(2), I64(8), U8(1);

        final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        boolean isFloat() {
            return this != I64 && this != U8;
        }
    }

    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {}

    private static Contents readFrom(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < HEADER_LENGTH_BYTES) {
            throw bad(file, "not a safetensors file: it is " + fileSize
                    + " bytes long, too short for the 8-byte header length");
        }
        ByteBuffer prefix = ByteBuffer.allocate(HEADER_LENGTH_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, channel, prefix, 0);
        long headerLength = prefix.flip().getLong();
        // an unsigned length, so one with its top bit set is beyond any file rather than negative
        if (headerLength < 0 || headerLength > fileSize - HEADER_LENGTH_BYTES) {
            throw bad(file, "header length " + Long.toUnsignedString(headerLength)
                    + " goes beyond the end of the file (" + fileSize + " bytes): truncated or not a safetensors file");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw bad(file, "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(file, channel, headerBytes, HEADER_LENGTH_BYTES);
        ObjectNode header = parseHeader(file, headerBytes.flip());

        long dataStart = HEADER_LENGTH_BYTES + headerLength;
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                entries.add(readEntry(file, field.getKey(), field.getValue(), dataSize));
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkContiguous(file, byOffset, dataSize);

        // Only now, with the entries proven to tile the data section exactly, is it safe to allocate:
        // together they hold no more floats than the file holds bytes (twice that for 16-bit ones).
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, IntegerTensor> integers = new LinkedHashMap<>();
        for (Entry entry : entries) {
            int size = (int) Tensor.size(entry.shape());
            switch (entry.dtype()) {
                case U8 -> integers.put(entry.name(), new IntegerTensor.U8(entry.name(), entry.shape(), new byte[size]));
                case I64 -> integers.put(entry.name(), new IntegerTensor.I64(entry.name(), entry.shape(), new long[size]));
                default -> tensors.put(entry.name(), Tensor.zeros(entry.name(), entry.shape()));
            }
        }
        String expectedSha256 = metadata.get(SHA256_KEY);
        MessageDigest digest = expectedSha256 == null ? null : sha256();
        readData(file, channel, dataStart, byOffset, tensors, integers, digest);
        if (digest != null && !HEX.formatHex(digest.digest()).equalsIgnoreCase(expectedSha256)) {
            throw bad(file, "is corrupt: its data does not match its sha256");
        }
        return new Contents(metadata, tensors, integers);
    }

    private static ObjectNode parseHeader(Path file, ByteBuffer headerBytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "header is not valid UTF-8: not a safetensors file");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
            throw bad(file, "header is not valid JSON (" + oneLine(e.getOriginalMessage()) + where
                    + "): not a safetensors file");
        }
        if (root instanceof ObjectNode object) {
            return object;
        }
        throw bad(file, "header is not a JSON object: not a safetensors file");
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> metadata) {
        if (!(node instanceof ObjectNode object)) {
            throw bad(file, METADATA_KEY + " is not an object of strings");
        }
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!field.getValue().isTextual()) {
                throw bad(file, METADATA_KEY + " value of '" + oneLine(field.getKey()) + "' is not a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
    }

    private static Entry readEntry(Path file, String name, JsonNode node, long dataSize) {
        String where = describe(name);
        if (!(node instanceof ObjectNode)) {
            throw bad(file, where + " is not described by an object with dtype, shape and data_offsets");
        }
        JsonNode dtype = required(file, where, node, "dtype");
        if (!dtype.isTextual()) {
            throw bad(file, where + " has a dtype that is not a string");
        }
        DType type;
        try {
            type = DType.valueOf(dtype.textValue());
        } catch (IllegalArgumentException e) {
            throw bad(file, where + " has dtype " + oneLine(dtype.textValue())
                    + "; only F32, F16, BF16, I64 and U8 are supported");
        }
        int[] shape = readShape(file, where, required(file, where, node, "shape"));
        long elements = Tensor.size(shape);
        if (elements < 0) {
            throw bad(file, where + " has shape " + Arrays.toString(shape)
                    + ", more elements than a tensor can hold (" + Integer.MAX_VALUE + ")");
        }
        JsonNode offsets = required(file, where, node, "data_offsets");
        if (!offsets.isArray() || offsets.size() != 2 || !isWholeNumber(offsets.get(0)) || !isWholeNumber(offsets.get(1))) {
            throw bad(file, where + " has data_offsets that are not a pair of whole numbers");
        }
        long begin = offsets.get(0).canConvertToLong() ? offsets.get(0).longValue() : Long.MAX_VALUE;
        long end = offsets.get(1).canConvertToLong() ? offsets.get(1).longValue() : Long.MAX_VALUE;
        if (begin < 0 || end < begin || end > dataSize) {
            throw bad(file, where + " has data_offsets [" + offsets.get(0) + ", " + offsets.get(1)
                    + "] outside the data section of " + dataSize + " bytes");
        }
        if (end - begin != elements * type.bytes) {
            throw bad(file, where + " has shape " + Arrays.toString(shape) + " (" + elements + " " + type + " values, "
                    + elements * type.bytes + " bytes) but data_offsets span " + (end - begin) + " bytes");
        }
        return new Entry(name, type, shape, begin, end);
    }

    private static JsonNode required(Path file, String where, JsonNode entry, String key) {
        JsonNode value = entry.get(key);
        if (value == null) {
            throw bad(file, where + " has no " + key);
        }
        return value;
    }

    private static int[] readShape(Path file, String where, JsonNode node) {
        if (!node.isArray()) {
            throw bad(file, where + " has a shape that is not an array");
        }
        int[] shape = new int[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = node.get(i);
            if (!isWholeNumber(dim)) {
                throw bad(file, where + " has dimension " + oneLine(dim.toString()) + " that is not a whole number");
            }
            if (dim.bigIntegerValue().signum() < 0) {
                throw bad(file, where + " has a negative dimension " + dim);
            }
            if (!dim.canConvertToInt()) {
                throw bad(file, where + " has dimension " + dim + ", too large for a tensor");
            }
            shape[i] = dim.intValue();
        }
        return shape;
    }

    private static boolean isWholeNumber(JsonNode node) {
        return node != null && node.isIntegralNumber();
    }

    /** Requires the entries, sorted by offset, to cover the data section exactly once, as safetensors does. */
    private static void checkContiguous(Path file, List<Entry> byOffset, long dataSize) {
        long expected = 0;
        Entry previous = null;
        for (Entry entry : byOffset) {
            if (entry.begin() < expected) {
                throw bad(file, describe(entry.name()) + " overlaps " + describe(previous.name())
                        + " in the data section (bytes " + entry.begin() + " to " + expected + ")");
            }
            if (entry.begin() > expected) {
                throw bad(file, "the data section has a gap of " + (entry.begin() - expected)
                        + " unused bytes before " + describe(entry.name()) + " (byte " + expected + ")");
            }
            expected = entry.end();
            previous = entry;
        }
        if (expected != dataSize) {
            throw bad(file, "the data section has " + (dataSize - expected)
                    + " unused bytes after its last tensor (truncated header or extra data)");
        }
    }

    /** Fills the tensors in file order, one chunk at a time, hashing the bytes when {@code digest} is given. */
    private static void readData(Path file, FileChannel channel, long position, List<Entry> byOffset,
            Map<String, Tensor> tensors, Map<String, IntegerTensor> integers, MessageDigest digest) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = chunk.asFloatBuffer();
        for (Entry entry : byOffset) {
            if (!entry.dtype().isFloat()) {
                position = readIntegers(file, channel, position, integers.get(entry.name()), chunk, digest);
                continue;
            }
            float[] data = tensors.get(entry.name()).data();
            int bytes = entry.dtype().bytes;
            for (int from = 0; from < data.length; ) {
                int count = Math.min(CHUNK_BYTES / bytes, data.length - from);
                chunk.clear().limit(count * bytes);
                position += readFully(file, channel, chunk, position);
                if (digest != null) {
                    digest.update(chunk.duplicate().flip());
                }
                chunk.flip();
                if (entry.dtype() == DType.F32) {
                    floats.clear();
                    floats.get(data, from, count);
                } else {
                    for (int i = 0; i < count; i++) {
                        short half = chunk.getShort(i * 2);
                        // bfloat16 is a float's top half; IEEE half widens exactly through Float.float16ToFloat
                        data[from + i] = entry.dtype() == DType.BF16 ? Float.intBitsToFloat(half << 16)
                                : Float.float16ToFloat(half);
                    }
                }
                from += count;
            }
        }
    }

    /** Fills one integer tensor from {@code position} on; returns the position after it. */
    private static long readIntegers(Path file, FileChannel channel, long position, IntegerTensor tensor,
            ByteBuffer chunk, MessageDigest digest) throws IOException {
        switch (tensor) {
            case IntegerTensor.U8 bytes -> {
                ByteBuffer data = ByteBuffer.wrap(bytes.values());
                position += readFully(file, channel, data, position);
                if (digest != null) {
                    digest.update(data.flip());
                }
            }
            case IntegerTensor.I64 wide -> {
                long[] data = wide.values();
                LongBuffer longs = chunk.clear().asLongBuffer();
                for (int from = 0; from < data.length; ) {
                    int count = Math.min(CHUNK_BYTES / Long.BYTES, data.length - from);
                    chunk.clear().limit(count * Long.BYTES);
                    position += readFully(file, channel, chunk, position);
                    if (digest != null) {
                        digest.update(chunk.duplicate().flip());
                    }
                    longs.clear();
                    longs.get(data, from, count);
                    from += count;
                }
            }
        }
        return position;
    }

    private static int readFully(Path file, FileChannel channel, ByteBuffer bytes, long position) throws IOException {
        int length = bytes.remaining();
        for (long at = position; bytes.hasRemaining(); ) {
            int read = channel.read(bytes, at);
            if (read < 0) {
                throw bad(file, "ended early at byte " + at + ": it changed while being read");
            }
            at += read;
        }
        return length;
    }

    // ---- shared

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    private static BadInputException bad(Path file, String problem) {
        return new BadInputException(file + ": " + problem);
    }

    private static String describe(String tensorName) {
        return "tensor '" + oneLine(tensorName) + "'";
    }

    /** Keeps messages that quote the file's own text or the platform's on one line, and short. */
    static String oneLine(String text) {
        String line = String.valueOf(text).replaceAll("\\s+", " ").strip();
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }
}
