package dev.clipengine.bench;

import dev.clipengine.text.ClipBpe;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * CLIP's tokenizer on one thread: captions per second (the benchmark's score) and token ids per
 * second (its {@code tokens} counter, start and end of text included). {@code common} captions
 * are drawn from a few hundred words, as a data set's captions repeat theirs, so the tokenizer's
 * cache holds most pieces; {@code rare} ones are made of random letters, so nearly every word is
 * merged afresh, the worst case.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TokenizerBenchmark extends BenchmarkSettings {

    private static final String[] ADJECTIVES = ("red green blue small large old young happy wooden bright dark "
            + "colorful vintage modern beautiful tiny fluffy shiny empty crowded snowy sunny rainy golden").split(" ");
    private static final String[] NOUNS = ("cat dog bird car tree house table chair woman man child street city "
            + "mountain beach river boat train bicycle horse flower cake pizza laptop phone guitar bridge").split(" ");
    private static final String[] PLACES = ("on the grass|in the kitchen|at the beach|next to a window|under a tree|"
            + "in New York|during the winter|at night|in front of the café|on a wooden table").split("\\|");
    private static final int CAPTIONS = 4096;

    @State(Scope.Thread)
    public static class Captions {
        @Param({"common", "rare"})
        public String words;

        final String[] captions = new String[CAPTIONS];
        ClipBpe bpe;
        int next;

        @Setup(Level.Trial)
        public void make() {
            bpe = ClipBpe.openAi();
            SplittableRandom random = new SplittableRandom(0);
            for (int i = 0; i < CAPTIONS; i++) {
                captions[i] = words.equals("common") ? commonCaption(random) : rareCaption(random);
            }
        }

        String next() {
            next = (next + 1) % CAPTIONS;
            return captions[next];
        }
    }

    /** The ids made; JMH reports them per second beside the captions. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Tokens {
        public long tokens;

        @Setup(Level.Iteration)
        public void reset() {
            tokens = 0;
        }
    }

    @Benchmark
    public int[] encode(Captions captions, Tokens counted) {
        int[] ids = captions.bpe.encode(captions.next(), ClipBpe.CONTEXT_LENGTH);
        for (int id : ids) {
            counted.tokens += id != 0 ? 1 : 0;
        }
        return ids;
    }

    /** "A photo of a small red cat on the grass, 2 dogs." and the like. */
    static String commonCaption(SplittableRandom random) {
        StringBuilder caption = new StringBuilder(random.nextBoolean() ? "A photo of a " : "a ");
        caption.append(pick(ADJECTIVES, random)).append(' ');
        if (random.nextBoolean()) {
            caption.append(pick(ADJECTIVES, random)).append(' ');
        }
        caption.append(pick(NOUNS, random)).append(' ').append(pick(PLACES, random));
        if (random.nextInt(3) == 0) {
            caption.append(", ").append(2 + random.nextInt(9)).append(' ').append(pick(NOUNS, random)).append('s');
        }
        return caption.append(random.nextBoolean() ? "." : "").toString();
    }

    /** As many words as a common caption, each of random letters. */
    static String rareCaption(SplittableRandom random) {
        StringBuilder caption = new StringBuilder();
        for (int w = 8 + random.nextInt(6); w > 0; w--) {
            for (int c = 2 + random.nextInt(8); c > 0; c--) {
                caption.append((char) ('a' + random.nextInt(26)));
            }
            caption.append(' ');
        }
        return caption.toString();
    }

    private static String pick(String[] words, SplittableRandom random) {
        return words[random.nextInt(words.length)];
    }
}
