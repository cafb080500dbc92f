package io.zgrnet.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The charts' y axes: linear unless a chart that allows it spans more than 20x. */
class HtmlTest {
    @Test
    void valuesWithinTwentyTimesGetALinearAxisFromZero() {
        Html.Scale s = Html.Scale.of(500, 1_550_000, false);
        assertFalse(s.log());
        assertEquals(2_000_000, s.hi());
        assertEquals(0.5, s.fraction(1_000_000), 1e-9);
        assertFalse(Html.Scale.of(250_000, 1_550_000, true).log(), "6x: linear even when allowed");
    }

    @Test
    void groRowsNextToPlainOnesGetALogAxisBetweenDecades() {
        Html.Scale s = Html.Scale.of(250_000, 18_800_000, true);
        assertTrue(s.log());
        assertEquals(100_000, s.lo(), 1e-6);
        assertEquals(100_000_000, s.hi(), 1e-3);
        assertEquals(List.of(1e5, 1e6, 1e7, 1e8), s.ticks());
        assertEquals(1.0 / 3, s.fraction(1_000_000), 1e-9);
        assertEquals(0, s.fraction(0), "zero sits on the floor");
    }
}
