# Prints the R values embedded in tests/scoring/test_reference_r.py (class TestFixedDataset).
# Usage: Rscript tests/reference/fixed_values.R   (from the repository root)
# Data: fixed_small.csv (5 units of sizes 1..9, 4 items, complete) and fixed_small_missing.csv
# (the same answers with 8 cells blanked). Needs psych and multilevel.

suppressPackageStartupMessages({
  library(psych)
  library(multilevel)
})
options(digits = 15)
here <- "tests/reference"
d <- read.csv(file.path(here, "fixed_small.csv"), stringsAsFactors = FALSE)
x <- d[, c("i1", "i2", "i3", "i4")]

print(rwg.j(x, d$unit, ranvar = 2))
print(rwg.j.lindell(x, d$unit, ranvar = 2))
print(awg(x, d$unit, range = c(1, 5)))
print(ad.m(x, d$unit, type = "mean"))

score <- rowMeans(x)
model <- aov(score ~ as.factor(d$unit))
ms <- summary(model)[[1]][, 3]
sizes <- as.numeric(table(d$unit))
n0 <- (sum(sizes) - sum(sizes^2) / sum(sizes)) / (length(sizes) - 1)
print(c(n0 = n0, ICC1_n0 = (ms[1] - ms[2]) / (ms[1] + (n0 - 1) * ms[2]),
        ICC1_multilevel = ICC1(model), ICC2 = ICC2(model)))

m <- read.csv(file.path(here, "fixed_small_missing.csv"), na.strings = "")
fit <- psych::alpha(m, warnings = FALSE)
print(c(raw_alpha = fit$total$raw_alpha, lower = unlist(fit$feldt$lower.ci),
        upper = unlist(fit$feldt$upper.ci)))
print(fit$alpha.drop[, "raw_alpha", drop = FALSE])
print(fit$item.stats[, "r.drop", drop = FALSE])

print(t.test(score[d$unit == "delta"], score[d$unit == "beta"]), digits = 15)
