package dev.clipengine.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EpochCaptionsTest {

    private static final TemplateCaptions CAPTIONS = new TemplateCaptions(List.of("cat", "dog"),
            List.of("a photo of a {}.", "a {}.", "a picture of a {}."));
    private static final int[] LABELS = IntStream.range(0, 300).map(i -> i % 2).toArray();

    private static List<Integer> templates(EpochCaptions draws) {
        return IntStream.range(0, draws.size()).map(draws::template).boxed().toList();
    }

    @Test
    void anEpochsDrawsDependOnlyOnTheSeedAndTheEpoch() {
        // a resumed run jumps straight to its epoch and must see what a run from the start saw
        EpochCaptions fromStart = new EpochCaptions(CAPTIONS, LABELS, 42);
        for (int epoch = 1; epoch <= 5; epoch++) {
            fromStart.draw(epoch);
        }
        EpochCaptions resumed = new EpochCaptions(CAPTIONS, LABELS, 42);
        resumed.draw(5);
        assertEquals(templates(fromStart), templates(resumed));
        assertEquals(5, resumed.epoch());

        EpochCaptions epoch4 = new EpochCaptions(CAPTIONS, LABELS, 42);
        epoch4.draw(4);
        assertNotEquals(templates(resumed), templates(epoch4));
    }

    @Test
    void drawsEveryTemplateAboutEqually() {
        EpochCaptions draws = new EpochCaptions(CAPTIONS, LABELS, 7);
        int[] counts = new int[3];
        templates(draws).forEach(t -> counts[t]++);
        for (int count : counts) {
            assertTrue(count > 60 && count < 140, java.util.Arrays.toString(counts));
        }
        assertEquals(CAPTIONS.caption(LABELS[3], draws.template(3)), draws.caption(3));
    }

    @Test
    void buildsCaptionsAndChecksLabels() {
        assertEquals("a picture of a dog.", CAPTIONS.caption(1, 2));
        assertEquals(List.of("a photo of a cat.", "a cat.", "a picture of a cat."), CAPTIONS.classPrompts().get(0));
        assertEquals(6, CAPTIONS.allCaptions().size());
        assertThrows(IllegalArgumentException.class, () -> new EpochCaptions(CAPTIONS, new int[] {0, 2}, 1));
        assertThrows(IllegalArgumentException.class, () -> new TemplateCaptions(List.of("cat"), List.of("a cat")));
    }
}
