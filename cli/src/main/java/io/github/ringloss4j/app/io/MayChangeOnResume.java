package io.github.ringloss4j.app.io;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a saved training option that {@code train --resume} may change, e.g. {@code --epochs}.
 * Written on the option's field, next to its {@code @Option}, so that the rule is declared where
 * the option is. {@code TrainOptions.resumedWith} refuses a changed value of every other saved
 * option.
 *
 * <p>It lives in the bottom layer so that every option group can carry it: the data layer's {@code
 * --workers} and {@code --prefetch} take it, and the data layer may not import {@code train}, which
 * reads it.
 *
 * <p>Options that a checkpoint does not save ({@code --threads}, {@code --progress}, {@code
 * --stop-after}, {@code --out}) are not compared and may always change; a new saved option that
 * only affects speed, such as a worker or device count, takes this annotation.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface MayChangeOnResume {}
