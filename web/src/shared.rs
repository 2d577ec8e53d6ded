//! A value the reducer changes in place and the page reads, shared by every version of the
//! page's state.
//!
//! The run (a [`crate::playback::Playback`], holding a whole simulation and its snapshots) is too
//! big to copy on every action, so the page's state holds it behind a [`Shared`]: each new state
//! the reducer returns shares the run with the one before, and a *generation* counts the changes.
//! Two handles are equal when they name the same run at the same generation, so the page's state
//! stays a plain `Clone + PartialEq` value: a state whose run did not change compares equal, and
//! the reducer can hand back the old state and skip a render.
//!
//! Only [`Shared::change`] writes, and it needs the handle mutably: the reducer's own next state
//! has it, a component's copy does not. A borrow lasts only as long as the reference it returns.
//! Nothing may hold one across a dispatch: the reducer runs inside the dispatch and changes the
//! run. The page's effects copy what they need out of a read first, or dispatch later.

use std::cell::{Ref, RefCell, RefMut};
use std::rc::Rc;

/// A value shared between versions of the page's state, with a count of its changes.
pub struct Shared<T> {
    cell: Rc<RefCell<T>>,
    generation: u64,
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared {
            cell: Rc::new(RefCell::new(value)),
            generation: 0,
        }
    }

    /// The value, to read.
    pub fn read(&self) -> Ref<'_, T> {
        self.cell.borrow()
    }

    /// The value, to change: counts as a change whether or not the caller makes one, so read
    /// first when the change is only possible.
    pub fn change(&mut self) -> RefMut<'_, T> {
        self.generation += 1;
        self.cell.borrow_mut()
    }

    /// Puts a new value in place of the old for this handle only: other handles keep the old
    /// one (a new run, where the old may still be kept aside, as a lesson's is during free play).
    pub fn replace(&mut self, value: T) {
        *self = Shared {
            cell: Rc::new(RefCell::new(value)),
            generation: self.generation + 1,
        };
    }

    /// How many changes this handle has seen.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether both handles share one value (at whatever generation).
    pub fn same(&self, other: &Shared<T>) -> bool {
        Rc::ptr_eq(&self.cell, &other.cell)
    }

    /// An identity for the value, the same for every handle that shares it (a cache's key).
    pub fn id(&self) -> *const () {
        Rc::as_ptr(&self.cell).cast()
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Shared<T> {
        Shared {
            cell: Rc::clone(&self.cell),
            generation: self.generation,
        }
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Shared<T>) -> bool {
        self.same(other) && self.generation == other.generation
    }
}

impl<T: Default> Default for Shared<T> {
    fn default() -> Shared<T> {
        Shared::new(T::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_makes_the_handle_unequal_to_the_ones_before_it() {
        let before = Shared::new(1);
        let mut after = before.clone();
        assert!(
            after == before,
            "a copy is the same value at the same generation"
        );
        *after.change() += 1;
        assert!(
            after != before,
            "the change is counted on the handle that made it"
        );
        assert!(after.same(&before), "both still share the value");
        assert_eq!(
            *before.read(),
            2,
            "and the old handle reads the changed value"
        );
    }

    #[test]
    fn a_replaced_value_is_no_longer_shared() {
        let kept = Shared::new("lesson");
        let mut page = kept.clone();
        page.replace("free play");
        assert!(!page.same(&kept));
        assert_eq!(
            *kept.read(),
            "lesson",
            "the handle kept aside keeps the old value"
        );
        assert_eq!(*page.read(), "free play");
        assert!(page.generation() > kept.generation());
    }
}
