import PQueue from 'p-queue';

// p-queue runs every queued task at once unless told otherwise: a burst of sign-ups opens a
// connection to the mail service per user.
export const notifications = new PQueue();
