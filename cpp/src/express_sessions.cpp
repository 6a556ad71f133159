#include "express_sessions.hpp"

#include <aws/common/ref_count.h>
#include <aws/s3/s3express_credentials_provider.h>
// The default provider's constructor is not public: it is what the CRT's own
// default factory calls. The CRT sources are pinned (third_party/), so this
// private header is too.
#include <aws/s3/private/s3express_credentials_provider_impl.h>

namespace s3conn::detail {
namespace {

// A provider that lends another: what the second client gets.
struct Forwarder {
    aws_s3express_credentials_provider base;
    aws_s3express_credentials_provider* target;
};

int forward_get_credentials(aws_s3express_credentials_provider* provider, const aws_credentials* original,
                            const aws_credentials_properties_s3express* properties,
                            aws_on_get_credentials_callback_fn callback, void* user_data) {
    auto* forwarder = static_cast<Forwarder*>(provider->impl);
    return aws_s3express_credentials_provider_get_credentials(forwarder->target, original, properties, callback,
                                                              user_data);
}

void forward_destroy(aws_s3express_credentials_provider* provider) {
    auto* forwarder = static_cast<Forwarder*>(provider->impl);
    aws_s3express_credentials_provider_release(forwarder->target);
    aws_simple_completion_callback* on_shutdown = provider->shutdown_complete_callback;
    void* shutdown_user_data = provider->shutdown_user_data;
    aws_mem_release(provider->allocator, forwarder);
    if (on_shutdown != nullptr) on_shutdown(shutdown_user_data);
}

aws_s3express_credentials_provider_vtable g_forwarder_vtable = {forward_get_credentials, forward_destroy};

aws_s3express_credentials_provider* acquire(aws_s3express_credentials_provider* provider) {
    aws_ref_count_acquire(&provider->ref_count);
    return provider;
}

}  // namespace

aws_s3express_credentials_provider* ExpressSessions::factory(aws_allocator* allocator, aws_s3_client* client,
                                                             aws_simple_completion_callback* on_provider_shutdown,
                                                             void* shutdown_user_data, void* sessions) {
    return static_cast<ExpressSessions*>(sessions)->provider_for(allocator, client, on_provider_shutdown,
                                                                 shutdown_user_data);
}

aws_s3express_credentials_provider* ExpressSessions::provider_for(aws_allocator* allocator, aws_s3_client* client,
                                                                  aws_simple_completion_callback* on_provider_shutdown,
                                                                  void* shutdown_user_data) {
    // Runs with the asking client's lock held; never calls into another client.
    std::lock_guard lock(mutex_);
    if (shared_ == nullptr) {
        aws_s3express_credentials_provider_default_options options{};
        options.client = client;
        options.shutdown_complete_callback = on_provider_shutdown;
        options.shutdown_user_data = shutdown_user_data;
        aws_s3express_credentials_provider* made = aws_s3express_credentials_provider_new_default(allocator, &options);
        if (made == nullptr) return nullptr;
        shared_ = made;
        return acquire(made);  // one reference for the client, one kept here
    }
    auto* forwarder = static_cast<Forwarder*>(aws_mem_calloc(allocator, 1, sizeof(Forwarder)));
    forwarder->target = acquire(shared_);
    aws_s3express_credentials_provider_init_base(&forwarder->base, allocator, &g_forwarder_vtable, forwarder);
    forwarder->base.shutdown_complete_callback = on_provider_shutdown;
    forwarder->base.shutdown_user_data = shutdown_user_data;
    return &forwarder->base;
}

void ExpressSessions::release() {
    std::lock_guard lock(mutex_);
    if (shared_ != nullptr) aws_s3express_credentials_provider_release(shared_);
    shared_ = nullptr;
}

}  // namespace s3conn::detail
