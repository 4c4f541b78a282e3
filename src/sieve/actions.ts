/** What a script decided; the delivery code carries these out in order. */

export interface KeepAction {
  type: 'keep';
  /** IMAP flags to set on the stored message (imap4flags). */
  flags: string[];
  /** True for the implicit keep of RFC 5228 §2.10.2. */
  implicit?: boolean;
}

export interface FileintoAction {
  type: 'fileinto';
  mailbox: string;
  flags: string[];
  copy: boolean;
  /** RFC 5490 :create: make the mailbox when it does not exist. */
  create: boolean;
}

export interface RedirectAction {
  type: 'redirect';
  address: string;
  copy: boolean;
}

export interface RejectAction {
  type: 'reject';
  reason: string;
  /** ereject: refuse in the SMTP/LMTP transaction when still possible instead of sending an MDN. */
  ereject: boolean;
}

export interface DiscardAction {
  type: 'discard';
}

export interface VacationAction {
  type: 'vacation';
  /** The envelope sender, who receives the reply. */
  to: string;
  from: string;
  subject: string;
  /** Text, or a MIME entity (headers and body) when `mime`. */
  reason: string;
  mime: boolean;
  /** The period the reply suppresses further replies for, in seconds. */
  seconds: number;
  addresses: string[];
  handle: string;
  /** Message-ID of the message replied to, for In-Reply-To and References. */
  inReplyTo?: string;
}

export interface AddHeaderAction {
  type: 'addheader';
  name: string;
  value: string;
  last: boolean;
}

export interface DeleteHeaderAction {
  type: 'deleteheader';
  name: string;
  /**
   * 0-based positions among the fields of this name, as they stand after the edits listed before
   * this one; apply edits in order.
   */
  positions: number[];
}

/** RFC 5435 notify; only mailto methods get this far (the script checked them). */
export interface NotifyAction {
  type: 'notify';
  method: string;
  /** The :from address for the notification's From field, when the script gave one. */
  from?: string;
  importance: '1' | '2' | '3';
  options: string[];
  /** The :message text, which RFC 5436 makes the notification's subject. */
  message?: string;
}

export type SieveAction =
  | KeepAction
  | FileintoAction
  | RedirectAction
  | RejectAction
  | DiscardAction
  | VacationAction
  | AddHeaderAction
  | DeleteHeaderAction
  | NotifyAction;
