# Reference values from R for tests/scoring/test_reference_r.py.
#
# Usage: Rscript oracle.R INPUT_DIR OUTPUT_DIR
# Reads the CSV files the test generated in INPUT_DIR and writes one CSV per statistic family to
# OUTPUT_DIR. Needs only base R and the packages psych, multilevel and nlme (Debian: r-base-core
# r-cran-psych r-cran-multilevel; nlme comes with multilevel). Numbers are written with 17 significant digits.
#
#   complete.csv  unit, i1..iJ   complete 1..5 answers (multilevel drops incomplete rows)
#   missing.csv   i1..iJ         the same answers with ~10% blanked (alpha: pairwise covariances)
#   waves.csv     wave, score    two waves of respondent scores (Welch t-test)

suppressPackageStartupMessages({
  library(psych)
  library(multilevel)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript oracle.R INPUT_DIR OUTPUT_DIR")
input_dir <- args[1]
output_dir <- args[2]

write_values <- function(frame, name) {
  for (col in names(frame)) {
    if (is.numeric(frame[[col]])) frame[[col]] <- sprintf("%.17g", frame[[col]])
  }
  write.csv(frame, file.path(output_dir, name), row.names = FALSE, quote = TRUE)
}

complete <- read.csv(file.path(input_dir, "complete.csv"), stringsAsFactors = FALSE)
items <- setdiff(names(complete), "unit")
x <- complete[, items]
unit <- complete$unit

# Agreement: multilevel's functions return one row per group, groups ordered as split() orders them.
rwgj <- rwg.j(x, unit, ranvar = 2)
lindell <- rwg.j.lindell(x, unit, ranvar = 2)
a_multi <- awg(x, unit, range = c(1, 5))
a_single <- awg(x[, 1], unit, range = c(1, 5))
adm <- ad.m(x, unit, type = "mean")
r_single <- rwg(x[, 1], unit, ranvar = 2)
agreement <- data.frame(
  unit = as.character(rwgj$grpid),
  gsize = rwgj$gsize,
  rwg_j = rwgj$rwg.j,
  rwg_j_lindell = lindell$rwg.lindell[match(rwgj$grpid, lindell$grpid)],
  awg = a_multi$a.wg[match(rwgj$grpid, a_multi$grpid)],
  awg_item1 = a_single$a.wg[match(rwgj$grpid, a_single$grpid)],
  ad_m = adm$AD.M[match(rwgj$grpid, adm$grpid)],
  rwg_item1 = r_single$rwg[match(rwgj$grpid, r_single$grpid)]
)
write_values(agreement, "agreement.csv")

# ICC(1), ICC(2) of respondent scores (row means) on units, through aov as multilevel expects.
# ICC(1) by the hand formula with the unbalanced-ANOVA n0 = (N - sum(n_g^2)/N)/(G - 1) (Searle,
# Casella & McCulloch 1992, 3.6); multilevel::ICC1 uses k = N/G, which equals n0 only when the
# units are balanced, so it is checked on a balanced subset (the first 6 respondents of every
# unit with at least 6). REML variance components from nlme::lme for the same scores.
score <- rowMeans(x)
model <- aov(score ~ as.factor(unit))
table <- summary(model)[[1]]
msb <- table[1, 3]
msw <- table[2, 3]
sizes <- as.numeric(table(unit))
n_all <- sum(sizes)
n0 <- (n_all - sum(sizes^2) / n_all) / (length(sizes) - 1)
reml <- nlme::lme(score ~ 1, random = ~ 1 | unit, data = data.frame(score = score, unit = unit),
                  method = "REML")
components <- as.numeric(nlme::VarCorr(reml)[, "Variance"])
big <- names(which(table(unit) >= 6))
keep <- unlist(lapply(big, function(u) head(which(unit == u), 6)))
balanced <- aov(score[keep] ~ as.factor(unit[keep]))
write_values(data.frame(
  icc1 = (msb - msw) / (msb + (n0 - 1) * msw), icc2 = ICC2(model),
  msb = msb, msw = msw, n0 = n0,
  icc1_multilevel = ICC1(model),
  icc1_balanced_multilevel = ICC1(balanced),
  tau2_reml = components[1], sigma2_reml = components[2]
), "icc.csv")

# Cronbach's alpha with pairwise-complete covariances (psych's default use = "pairwise").
missing <- read.csv(file.path(input_dir, "missing.csv"), na.strings = "")
fit <- suppressWarnings(psych::alpha(missing, warnings = FALSE))
write_values(data.frame(
  raw_alpha = fit$total$raw_alpha,
  feldt_low = unlist(fit$feldt$lower.ci),
  feldt_high = unlist(fit$feldt$upper.ci),
  n = nrow(missing),
  k = fit$nvar
), "alpha.csv")
write_values(data.frame(
  item = rownames(fit$alpha.drop),
  alpha_if_deleted = fit$alpha.drop$raw_alpha,
  item_rest_r = fit$item.stats$r.drop
), "alpha_drop.csv")

# Welch's t-test of wave 2 against wave 1 (R's default var.equal = FALSE).
waves <- read.csv(file.path(input_dir, "waves.csv"))
test <- t.test(waves$score[waves$wave == 2], waves$score[waves$wave == 1], conf.level = 0.95)
write_values(data.frame(
  diff = unname(test$estimate[1] - test$estimate[2]),
  se = unname(test$stderr),
  df = unname(test$parameter),
  ci_low = test$conf.int[1],
  ci_high = test$conf.int[2],
  p_value = test$p.value
), "welch.csv")
