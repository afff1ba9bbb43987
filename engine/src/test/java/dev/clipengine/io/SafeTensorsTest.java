package dev.clipengine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clipengine.BadInputException;
import dev.clipengine.Fifo;
import dev.clipengine.model.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {

    @TempDir
    Path folder;

    // ---- round trips

    @Test
    void roundTripKeepsEveryFloatBitAndTheOrder() throws IOException {
        List<Tensor> tensors = List.of(
                fromBits("special", new int[] {3, 4},
                        0x7fc00000, 0x7fc00001, 0xffc12345, 0x7f800001, // quiet and signalling NaNs with payloads
                        0x80000000, 0x00000000, 0x00000001, 0x807fffff, // -0.0, +0.0, subnormals
                        0x7f800000, 0xff800000, 0x7f7fffff, 0x3f800000), // infinities, MAX_VALUE, 1
                fromBits("scalar", new int[] {}, 0xc0490fdb),
                fromBits("one", new int[] {1}, 0x3e99999a),
                fromBits("empty", new int[] {0, 3}),
                randomBits("large", new int[] {3, 100_001}, 7)); // spans several 1 MiB chunks, unaligned to them
        Path file = folder.resolve("model.safetensors");

        SafeTensors.write(file, Map.of("format", "clip-engine"), tensors);
        SafeTensors.Contents contents = SafeTensors.read(file);

        assertEquals(List.of("special", "scalar", "one", "empty", "large"), List.copyOf(contents.tensors().keySet()));
        for (Tensor expected : tensors) {
            Tensor actual = contents.tensors().get(expected.name());
            assertArrayEquals(expected.shape(), actual.shape(), expected.name());
            assertArrayEquals(rawBits(expected), rawBits(actual), expected.name());
        }
        assertEquals("clip-engine", contents.metadata().get("format"));
        assertTrue(contents.metadata().containsKey(SafeTensors.SHA256_KEY));
    }

    @Test
    void roundTripOfNoTensorsKeepsTheMetadata() throws IOException {
        Path file = folder.resolve("empty.safetensors");
        SafeTensors.write(file, Map.of("vocab", "[\"<unk>\",\"é\"]"), List.of());

        SafeTensors.Contents contents = SafeTensors.read(file);

        assertTrue(contents.tensors().isEmpty());
        assertEquals("[\"<unk>\",\"é\"]", contents.metadata().get("vocab"));
    }

    @Test
    void aGivenSha256IsReplacedByTheDataHash() throws Exception {
        Path file = folder.resolve("model.safetensors");
        SafeTensors.write(file, Map.of(SafeTensors.SHA256_KEY, "stale"), List.of(fromBits("a", new int[] {1}, 1)));

        assertEquals(sha256OfData(Files.readAllBytes(file)), SafeTensors.read(file).metadata().get("sha256"));
    }

    // ---- layout

    @Test
    void readsAFileLaidOutByAnotherProgram() throws IOException {
        // as safetensors for Python lays it out: its own key order, metadata not first, no sha256
        String header = """
                {"b":{"dtype":"F32","shape":[3],"data_offsets":[16,28]},\
                "__metadata__":{"format":"pt"},\
                "a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""";
        ByteBuffer data = littleEndian(28);
        for (float value : new float[] {1, 2, 3, 4, -0.5f, 0.25f, 1e-40f}) {
            data.putFloat(value);
        }
        Path file = craft("python.safetensors", header, data.array());

        SafeTensors.Contents contents = SafeTensors.read(file);

        assertEquals(Map.of("format", "pt"), contents.metadata());
        assertEquals(List.of("b", "a"), List.copyOf(contents.tensors().keySet()));
        assertArrayEquals(new int[] {2, 2}, contents.tensors().get("a").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, contents.tensors().get("a").data());
        assertArrayEquals(new int[] {3}, contents.tensors().get("b").shape());
        assertArrayEquals(new float[] {-0.5f, 0.25f, 1e-40f}, contents.tensors().get("b").data());
    }

    @Test
    void writesTheDocumentedLayout() throws IOException {
        Path file = folder.resolve("layout.safetensors");
        Tensor a = fromBits("a", new int[] {2}, 0x3f800000, 0xbf800000);
        Tensor b = fromBits("b", new int[] {}, 0x40000000);
        SafeTensors.write(file, Map.of("format", "clip-engine"), List.of(a, b));
        byte[] bytes = Files.readAllBytes(file);

        int headerLength = headerLength(bytes);
        assertEquals(bytes.length, 8 + headerLength + 12);
        JsonNode header = new ObjectMapper().readTree(headerText(bytes));
        assertEquals("__metadata__", header.properties().iterator().next().getKey(), "metadata comes first");
        assertEquals("F32", header.get("a").get("dtype").textValue());
        assertEquals("[2]", header.get("a").get("shape").toString());
        assertEquals("[0,8]", header.get("a").get("data_offsets").toString());
        assertEquals("[]", header.get("b").get("shape").toString());
        assertEquals("[8,12]", header.get("b").get("data_offsets").toString());
        ByteBuffer data = ByteBuffer.wrap(bytes, 8 + headerLength, 12).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x3f800000, data.getInt());
        assertEquals(0xbf800000, data.getInt());
        assertEquals(0x40000000, data.getInt());
    }

    @Test
    void padsTheHeaderWithSpacesToAMultipleOfEight() throws IOException {
        for (int extra = 0; extra < 8; extra++) {
            Path file = folder.resolve("padded" + extra + ".safetensors");
            SafeTensors.write(file, Map.of("note", "x".repeat(extra)), List.of(fromBits("a", new int[] {1}, 1)));
            byte[] bytes = Files.readAllBytes(file);

            int headerLength = headerLength(bytes);
            assertEquals(0, headerLength % 8, "header length " + headerLength);
            String header = headerText(bytes);
            String json = header.stripTrailing();
            assertTrue(json.endsWith("}"));
            assertEquals(" ".repeat(header.length() - json.length()), header.substring(json.length()));
            assertTrue(header.length() - json.length() < 8, "no more padding than needed");
        }
    }

    @Test
    void theWrittenSha256IsThatOfTheDataSection() throws Exception {
        Path file = folder.resolve("hashed.safetensors");
        SafeTensors.write(file, Map.of(), List.of(randomBits("a", new int[] {5, 7}, 3), randomBits("b", new int[] {300_000}, 4)));
        byte[] bytes = Files.readAllBytes(file);

        String written = new ObjectMapper().readTree(headerText(bytes)).get("__metadata__").get("sha256").textValue();

        assertEquals(sha256OfData(bytes), written);
    }

    // ---- refusals

    @Test
    void refusesAMissingFileAndAFolder() {
        assertRefused(folder.resolve("absent.safetensors"), "no such file");
        assertRefused(folder, "is a folder");
    }

    @Test
    void refusesAFifoRatherThanWaitingOnIt() throws Exception {
        Path fifo = Fifo.make(folder.resolve("pipe.safetensors"));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertRefused(fifo,
                "not a regular file (a FIFO, socket or device); only regular files are read"));
    }

    @Test
    void refusesAFileShorterThanTheHeaderLength() throws IOException {
        Path file = folder.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3, 4, 5});
        assertRefused(file, "too short for the 8-byte header length");
    }

    @Test
    void refusesTruncatedFiles() throws IOException {
        Path file = validFile("truncated.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        int headerLength = headerLength(bytes);

        Files.write(file, Arrays.copyOf(bytes, bytes.length - 4));
        assertRefused(file, "outside the data section");

        Files.write(file, Arrays.copyOf(bytes, 8 + headerLength / 2));
        assertRefused(file, "goes beyond the end of the file");
    }

    @Test
    void refusesAFlippedDataByteWhenTheFileHasASha256() throws IOException {
        Path file = validFile("flipped.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 3] ^= 0x10;
        Files.write(file, bytes);

        assertRefused(file, "is corrupt: its data does not match its sha256");
    }

    @Test
    void refusesAHeaderLengthBeyondTheFile() throws IOException {
        Path file = validFile("huge.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        Files.write(file, bytes);

        assertRefused(file, "header length 18446744073709551615 goes beyond the end of the file");
    }

    @Test
    void refusesAHeaderOverTheLimitWithoutReadingIt() throws IOException {
        // a sparse file big enough to hold the header it announces, so only the limit refuses it
        Path file = folder.resolve("over-limit.safetensors");
        long headerLength = SafeTensors.MAX_HEADER_BYTES + 8;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(littleEndian(8).putLong(0, headerLength).array());
            raf.setLength(8 + headerLength + 64);
        }
        assertRefused(file, "header length 100000008 exceeds the limit of 100000000 bytes");
    }

    static Stream<Arguments> malformedHeaders() {
        String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";
        return Stream.of(
                Arguments.of("not JSON", "{\"a\": nonsense}", 0, "header is not valid JSON"),
                Arguments.of("trailing text", "{} {}", 0, "header is not valid JSON"),
                Arguments.of("duplicate key", "{" + a + "," + a + "}", 8, "header is not valid JSON"),
                Arguments.of("nested too deeply", "[".repeat(100_000), 0, "header is not valid JSON"),
                Arguments.of("an array", "[1, 2]", 0, "header is not a JSON object"),
                Arguments.of("a name on two lines", "{\"a\\nb\":{\"dtype\":\"U16\",\"shape\":[],\"data_offsets\":[0,2]}}", 2,
                        "tensor 'a b' has dtype U16"),
                Arguments.of("not an entry object", "{\"a\":5}", 0, "tensor 'a' is not described by an object"),
                Arguments.of("no dtype", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a' has no dtype"),
                Arguments.of("no shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 'a' has no shape"),
                Arguments.of("no offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 'a' has no data_offsets"),
                Arguments.of("F64", "{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16,
                        "tensor 'a' has dtype F64; only F32, F16, BF16, I64 and U8 are supported"),
                Arguments.of("shape mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16,
                        "tensor 'a' has shape [2, 3] (6 F32 values, 24 bytes) but data_offsets span 16 bytes"),
                Arguments.of("negative dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2,-2],\"data_offsets\":[0,16]}}", 16,
                        "tensor 'a' has a negative dimension -2"),
                Arguments.of("absurd dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[100000000000000000000],\"data_offsets\":[0,8]}}", 8,
                        "too large for a tensor"),
                Arguments.of("fractional dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a' has dimension 2.5 that is not a whole number"),
                Arguments.of("overflowing shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}", 8,
                        "more elements than a tensor can hold"),
                Arguments.of("offsets past the data", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8,
                        "tensor 'a' has data_offsets [0, 16] outside the data section of 8 bytes"),
                Arguments.of("bad offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8,
                        "tensor 'a' has data_offsets that are not a pair of whole numbers"),
                Arguments.of("overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                        "tensor 'b' overlaps tensor 'a' in the data section"),
                Arguments.of("gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12,
                        "gap of 4 unused bytes before tensor 'b'"),
                Arguments.of("not starting at 0", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                        "gap of 4 unused bytes before tensor 'a'"),
                Arguments.of("bytes after the data", "{" + a + "}", 12, "4 unused bytes after its last tensor"),
                Arguments.of("metadata not an object", "{\"__metadata__\":[\"pt\"]}", 0, "__metadata__ is not an object of strings"),
                Arguments.of("metadata not strings", "{\"__metadata__\":{\"steps\":5}}", 0,
                        "__metadata__ value of 'steps' is not a string"));
    }

    @Test
    void widensHalfAndBfloat16AndKeepsIntegerBuffersApart() throws IOException {
        // 1.5 and -2 as IEEE half (0x3E00, 0xC000) and as bfloat16 (0x3FC0, 0xC000); an I64 buffer of 2
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[8,24]}}";
        byte[] data = new byte[24];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3E00).putShort((short) 0xC000)
                .putShort((short) 0x3FC0).putShort((short) 0xC000).putLong(7).putLong(9);
        SafeTensors.Contents contents = SafeTensors.read(craft("halves.safetensors", header, data));
        assertArrayEquals(new float[] {1.5f, -2f}, contents.tensors().get("h").data());
        assertArrayEquals(new float[] {1.5f, -2f}, contents.tensors().get("b").data());
        assertEquals(java.util.Set.of("h", "b"), contents.tensors().keySet());
        assertArrayEquals(new long[] {7, 9}, ((IntegerTensor.I64) contents.integers().get("ids")).values());
    }

    @Test
    void writesAndReadsIntegerTensorsBesideFloats(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("mixed.safetensors");
        byte[] text = "héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long[] wide = {Long.MIN_VALUE, -1, 0, 1L << 40, Long.MAX_VALUE};
        SafeTensors.write(file, java.util.Map.of("k", "v"), java.util.List.of(new Tensor("f", new int[] {1}, new float[] {2.5f})),
                java.util.List.of(new IntegerTensor.U8("text", text), new IntegerTensor.I64("wide", wide)));
        SafeTensors.Contents contents = SafeTensors.read(file);
        assertArrayEquals(new float[] {2.5f}, contents.tensors().get("f").data());
        assertArrayEquals(text, ((IntegerTensor.U8) contents.integers().get("text")).values());
        assertArrayEquals(wide, ((IntegerTensor.I64) contents.integers().get("wide")).values());
        assertEquals("v", contents.metadata().get("k"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void refusesMalformedHeaders(String label, String header, int dataBytes, String problem) throws IOException {
        Path file = craft(label.replace(' ', '-') + ".safetensors", header, new byte[dataBytes]);
        assertRefused(file, problem);
    }

    @Test
    void refusesAHeaderThatIsNotUtf8() throws IOException {
        byte[] header = "{\"a\":{}}    ".getBytes(StandardCharsets.US_ASCII);
        header[2] = (byte) 0xc3; // starts a two-byte sequence that the next byte does not continue
        Path file = folder.resolve("latin1.safetensors");
        Files.write(file, concat(littleEndian(8).putLong(0, header.length).array(), header));

        assertRefused(file, "header is not valid UTF-8");
    }

    // ---- atomic writing

    @Test
    void aWriteThatFailsAtAnyPointLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = validFile("model.safetensors");
        byte[] old = Files.readAllBytes(file);
        List<Tensor> replacement = List.of(
                randomBits("first", new int[] {400_000}, 11), // more than a chunk, so data is on disk before a failure
                randomBits("second", new int[] {3}, 12),
                randomBits("third", new int[] {2, 2}, 13));

        int failures = 0;
        for (int allowed = 0; ; allowed++) {
            try {
                SafeTensors.write(file, Map.of(), new FailingList(replacement, allowed));
                break;
            } catch (InjectedFailure expected) {
                failures++;
                assertArrayEquals(old, Files.readAllBytes(file), "after a failure at element " + allowed);
                assertEquals(List.of(file), filesIn(folder), "after a failure at element " + allowed);
            }
        }

        assertTrue(failures > replacement.size(), "failures both describing and writing the tensors");
        assertArrayEquals(rawBits(replacement.getFirst()), rawBits(SafeTensors.read(file).tensors().get("first")));
        assertEquals(List.of(file), filesIn(folder));
    }

    @Test
    void refusesDuplicateNamesWithoutTouchingTheTarget() throws IOException {
        Path file = validFile("model.safetensors");
        byte[] old = Files.readAllBytes(file);
        List<Tensor> duplicates = List.of(fromBits("a", new int[] {1}, 1), fromBits("a", new int[] {1}, 2));

        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of(), duplicates));

        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of(file), filesIn(folder));
    }

    // ---- helpers

    private static final class InjectedFailure extends RuntimeException {
        InjectedFailure() {
            super("injected failure");
        }
    }

    /** A list that throws once it has handed out {@code allowed} elements in total, over all passes. */
    private static final class FailingList extends AbstractList<Tensor> {
        private final List<Tensor> tensors;
        private int allowed;

        FailingList(List<Tensor> tensors, int allowed) {
            this.tensors = tensors;
            this.allowed = allowed;
        }

        @Override
        public Tensor get(int index) {
            if (allowed-- == 0) {
                throw new InjectedFailure();
            }
            return tensors.get(index);
        }

        @Override
        public int size() {
            return tensors.size();
        }
    }

    private void assertRefused(Path file, String problem) {
        BadInputException e = assertThrows(BadInputException.class, () -> SafeTensors.read(file));
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.contains(problem), message);
        assertFalse(message.contains("\n"), message);
    }

    private Path validFile(String name) throws IOException {
        Path file = folder.resolve(name);
        SafeTensors.write(file, Map.of("format", "clip-engine"),
                List.of(randomBits("w", new int[] {4, 3}, 1), randomBits("b", new int[] {4}, 2)));
        return file;
    }

    /** Lays out a file byte by byte: header length, the header padded with spaces to 8 bytes, the data. */
    private Path craft(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(json, Math.ceilDiv(json.length, 8) * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        Path file = folder.resolve(name);
        Files.write(file, concat(littleEndian(8).putLong(0, padded.length).array(), padded, data));
        return file;
    }

    private static Tensor fromBits(String name, int[] shape, int... bits) {
        float[] data = new float[bits.length];
        for (int i = 0; i < bits.length; i++) {
            data[i] = Float.intBitsToFloat(bits[i]);
        }
        return new Tensor(name, shape, data);
    }

    private static Tensor randomBits(String name, int[] shape, long seed) {
        Random random = new Random(seed);
        int[] bits = new int[Math.toIntExact(Tensor.size(shape))];
        Arrays.setAll(bits, i -> random.nextInt());
        return fromBits(name, shape, bits);
    }

    private static int[] rawBits(Tensor tensor) {
        float[] data = tensor.data();
        int[] bits = new int[data.length];
        Arrays.setAll(bits, i -> Float.floatToRawIntBits(data[i]));
        return bits;
    }

    private static int headerLength(byte[] file) {
        return Math.toIntExact(ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
    }

    private static String headerText(byte[] file) {
        return new String(file, 8, headerLength(file), StandardCharsets.UTF_8);
    }

    private static String sha256OfData(byte[] file) throws NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        int dataStart = 8 + headerLength(file);
        digest.update(file, dataStart, file.length - dataStart);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static ByteBuffer littleEndian(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer all = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(part -> part.length).sum());
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }

    private static List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.sorted().toList();
        }
    }
}
