/**
 * A FIFO with O(1) push and shift (head index, compacted when half consumed). Used for rx rings
 * and netisr queues, where Array.prototype.shift would make a long queue quadratic.
 */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#head++;
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes and returns everything, oldest first (netisr takes the whole queue, N-17). */
  takeAll(): T[] {
    // Nothing shifted off yet (the usual case): the items array itself changes hands.
    const all = this.#head === 0 ? this.#items : this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return all;
  }
}
