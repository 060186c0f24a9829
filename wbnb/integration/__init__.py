"""Framework integrations (Keras, ...). Each subpackage imports its framework; this
package imports none, so ``import wbnb`` never loads one."""
