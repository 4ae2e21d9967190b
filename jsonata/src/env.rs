//! Variable scopes: a chain of frames; lambdas capture the frame they were defined in.

use std::cell::RefCell;
use std::rc::Rc;

use crate::ast::Name;
use crate::value::Val;

#[derive(Debug, Default)]
pub struct Frame<'a> {
    vars: RefCell<Vec<(Name, Val<'a>)>>,
    parent: Option<Env<'a>>,
}

pub type Env<'a> = Rc<Frame<'a>>;

impl<'a> Frame<'a> {
    pub fn root() -> Env<'a> {
        Rc::new(Frame::default())
    }

    pub fn child(parent: &Env<'a>) -> Env<'a> {
        Rc::new(Frame {
            vars: RefCell::new(Vec::new()),
            parent: Some(parent.clone()),
        })
    }

    pub fn bind(&self, name: Name, value: Val<'a>) {
        let mut vars = self.vars.borrow_mut();
        if let Some(slot) = vars.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = value;
        } else {
            vars.push((name, value));
        }
    }

    /// Drop the bindings (breaks lambda ↔ frame reference cycles after an evaluation).
    pub fn clear(&self) {
        if let Ok(mut vars) = self.vars.try_borrow_mut() {
            vars.clear();
        }
    }

    /// Innermost binding of `name`, if any frame has one.
    pub fn lookup(&self, name: &str) -> Option<Val<'a>> {
        let mut frame = self;
        loop {
            if let Some((_, v)) = frame.vars.borrow().iter().rev().find(|(n, _)| &**n == name) {
                return Some(v.clone());
            }
            match &frame.parent {
                Some(p) => frame = p,
                None => return None,
            }
        }
    }
}
