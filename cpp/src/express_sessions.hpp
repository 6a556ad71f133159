// S3 Express One Zone sessions, one cache per CrtStack.
//
// A CrtStack has two aws_s3_clients (downloads, and uploads and copies), and
// the CRT gives each client a session provider of its own: left alone, a job
// that reads and writes one directory bucket makes a CreateSession per client
// and renews both. ExpressSessions is the factory both clients call instead:
// the first call makes the CRT's default provider (it caches sessions per
// bucket host and credentials, and renews them before they expire); every
// later call gets a thin provider that forwards to it. So a Client makes one
// CreateSession per bucket, whichever pool a request goes through.
#pragma once

#include <mutex>

#include <aws/s3/s3_client.h>

namespace s3conn::detail {

class ExpressSessions {
public:
    // No destructor of its own: a stack inherited across fork() must not
    // touch the CRT, so the owner calls release() when it releases the clients.
    ExpressSessions() = default;
    ExpressSessions(const ExpressSessions&) = delete;
    ExpressSessions& operator=(const ExpressSessions&) = delete;

    // Set as the s3express_provider_override_factory of every client of the
    // stack, with this object as factory_user_data.
    static aws_s3express_credentials_provider* factory(aws_allocator* allocator, aws_s3_client* client,
                                                       aws_simple_completion_callback* on_provider_shutdown,
                                                       void* shutdown_user_data, void* sessions);

    // Lets go of the shared provider; the client that made it finishes its
    // shutdown once every client's provider is gone.
    void release();

private:
    aws_s3express_credentials_provider* provider_for(aws_allocator* allocator, aws_s3_client* client,
                                                     aws_simple_completion_callback* on_provider_shutdown,
                                                     void* shutdown_user_data);

    std::mutex mutex_;
    // The CRT's default provider, bound to the client that asked first (it
    // makes its CreateSession requests through that client, which waits for
    // it at shutdown). This object holds a reference, as does each forwarder.
    aws_s3express_credentials_provider* shared_ = nullptr;
};

}  // namespace s3conn::detail
