//! Predictions: the right answer is what the model did, never typed by hand.

use super::model::Prediction;
use super::observed::Observed;
use crate::sim::Sim;
use crate::time::SimTime;

/// A prediction decided by the model: which answer was right, and when it was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Index into [`Prediction::answers`].
    pub right: usize,
    pub at: SimTime,
}

impl Prediction {
    /// The right answer given what the model has done: the first case whose tests all hold,
    /// else the fallback. `None` if no case matched and there is no fallback: the question was
    /// not decided (the runner reports it).
    pub fn decide(&self, sim: &Sim, seen: &Observed) -> Option<usize> {
        self.cases
            .iter()
            .find(|c| c.tests.iter().all(|t| t.passes(seen, sim)))
            .map(|c| c.answer)
            .or(self.otherwise)
    }

    /// The index of the answer with this key.
    pub fn answer_index(&self, key: &str) -> Option<usize> {
        self.answers.iter().position(|a| a.key == key)
    }
}
