package dev.clipengine.walkthrough;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MatrixTextTest {

    @Test
    void integersReadAsIntegersAndTheRestWithFixedDecimals() {
        assertEquals("3", MatrixText.number(3f, 4));
        // ln 3 times 2, exponentiated, is 9 only to float precision: still a hand calculation's 9
        assertEquals("9", MatrixText.number(8.9999990f, 4));
        assertEquals("0.5000", MatrixText.number(0.5f, 4));
        assertEquals("-0.1353", MatrixText.number(-0.13533528f, 4));
        assertEquals("0", MatrixText.number(-0.00001f, 4), "no negative zero");
        assertEquals("NaN", MatrixText.number(Float.NaN, 4));
    }

    @Test
    void smallMatricesGetDecimalsEnoughForThreeDigits() {
        assertEquals(4, MatrixText.decimals(new Matrix(new float[] {0.25f, -3f}, 1, 2)));
        assertEquals(4, MatrixText.decimals(new Matrix(new float[] {0.0434f, 0f}, 1, 2)));
        assertEquals(5, MatrixText.decimals(new Matrix(new float[] {0.0029f, 0f}, 1, 2)));
        assertEquals(8, MatrixText.decimals(new Matrix(new float[] {1e-12f}, 1, 1)));
    }

    @Test
    void columnsAlignOnTheDecimalPointUnderRightAlignedLabels() {
        Matrix m = new Matrix(new float[] {1f, 0.13533528f, -2f, 20.085537f}, 2, 2);
        assertEquals(List.of(
                "e^x            ",
                "    T1       T2",
                "I1   1   0.1353",
                "I2  -2  20.0855"),
                MatrixText.block("e^x", m, List.of("I1", "I2"), List.of("T1", "T2")));
    }

    @Test
    void blocksShareLinesWhileTheyFitAndWrapToANewBandAfter() {
        List<String> a = List.of("a ", "11");
        List<String> b = List.of("bb", "2 ", "3 ");
        assertEquals(List.of("a     bb", "11    2", "      3"), MatrixText.flow(List.of(a, b), 10));
        assertEquals(List.of("a", "11", "", "bb", "2", "3"), MatrixText.flow(List.of(a, b), 7));
    }
}
