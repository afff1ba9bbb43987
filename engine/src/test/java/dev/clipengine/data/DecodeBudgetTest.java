package dev.clipengine.data;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DecodeBudgetTest {

    @Test
    void aDecodeWaitsUntilOthersGiveBackWhatItNeeds() throws Exception {
        CompletableFuture<Void> second;
        try (DecodeBudget.Lease first = DecodeBudget.take(DecodeBudget.MAX_BYTES - 10)) {
            assertEquals(10, DecodeBudget.available());
            second = CompletableFuture.runAsync(() -> DecodeBudget.take(11).close());
            assertThrows(TimeoutException.class, () -> second.get(300, TimeUnit.MILLISECONDS));
            assertFalse(second.isDone(), "took 11 bytes while only 10 were free");
        }
        second.get(10, TimeUnit.SECONDS);
        assertEquals(DecodeBudget.MAX_BYTES, DecodeBudget.available());
    }

    @Test
    void moreThanTheWholeBudgetIsNeverTaken() {
        assertThrows(IllegalArgumentException.class, () -> DecodeBudget.take(DecodeBudget.MAX_BYTES + 1));
        assertEquals(DecodeBudget.MAX_BYTES, DecodeBudget.available());
    }
}
